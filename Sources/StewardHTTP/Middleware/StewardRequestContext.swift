import Foundation
import Hummingbird
import Logging
import Steward
import StewardConfig

/// The request context of the API: what the bearer token may do.
public struct StewardRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated token's scope (`admin` when no tokens are configured, on loopback only).
    public var scope: AccessToken.Scope?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        scope = nil
    }
}

/// Turns every error into the API's JSON error with a proper status; logs only server faults.
