import Crypto
import Foundation
import Steward

/// A bearer token the API accepts: stored as a SHA-256 hash, never as text.
public struct AccessToken: Sendable, Equatable {
    /// What a token may do.
    public enum Scope: String, Sendable, CaseIterable {
        /// GET requests.
        case read
        /// Everything.
        case admin
    }

    /// A name for logs (the token itself is never logged).
    public var name: String
    /// SHA-256 of the token.
    public var hash: [UInt8]
    /// What it may do.
    public var scope: Scope

    /// A token given by its SHA-256 (64 hex digits).
    public init(name: String, sha256 hex: String, scope: Scope) throws {
        guard let bytes = Self.bytes(hex: hex), bytes.count == 32 else {
            throw StewardError.invalidArgument(field: "auth.tokens.sha256", message: "auth token '\(name)': sha256 must be 64 hex digits")
        }
        self.name = name
        self.hash = bytes
        self.scope = scope
    }

    /// A token given as text (from an environment variable); only its hash is kept.
    public init(name: String, plaintext: String, scope: Scope) {
        self.name = name
        self.hash = Array(SHA256.hash(data: Data(plaintext.utf8)))
        self.scope = scope
    }

    /// The token among `tokens` that `presented` is, compared in constant time (every hash is
    /// compared, whatever matches first).
    package static func match(_ presented: String, in tokens: [AccessToken]) -> AccessToken? {
        let digest = Array(SHA256.hash(data: Data(presented.utf8)))
        var found: AccessToken? = nil
        for token in tokens {
            var difference: UInt8 = 0
            for (a, b) in zip(digest, token.hash) { difference |= a ^ b }
            if difference == 0, found == nil { found = token }
        }
        return found
    }

    /// The SHA-256 of a token as hex, for writing configuration (`steward config hash-token`).
    public static func sha256Hex(_ plaintext: String) -> String {
        SHA256.hash(data: Data(plaintext.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.lowercased().utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
