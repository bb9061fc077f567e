import Foundation
import Hummingbird
import Logging
import Steward

struct ErrorMiddleware: RouterMiddleware {
    let logger: Logger

    func handle(
        _ request: Request, context: StewardRequestContext, next: (Request, StewardRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let e = APIError.from(error)
            if e.status.code >= 500 {
                logger.error("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(e)"])
            }
            return e.response()
        }
    }
}

/// Bearer tokens: `read` may GET, `admin` may do everything. `/healthz`, `/readyz` and the
/// OpenAPI document are open.
/// With no tokens configured every request is `admin` (the server then listens on loopback only).
