import Foundation
import Hummingbird
import Logging
import Steward
import StewardConfig

struct AuthMiddleware: RouterMiddleware {
    let tokens: [AccessToken]
    /// Open without a token: health, the OpenAPI document, and the dashboard's files (which hold
    /// no data; the page asks for a token and sends it with every API call).
    static let open: Set<String> = ["/healthz", "/readyz", "/api/v1/openapi.json", "/", "/assets/app.js", "/assets/app.css", "/favicon.ico"]

    func handle(
        _ request: Request, context: StewardRequestContext, next: (Request, StewardRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if request.uri.path == "/api/v1/session" {
            // Answers with the scope of the presented token, or none: never 401, so the dashboard
            // can ask for a token without an error in the browser's console.
            let presented = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
            context.scope = tokens.isEmpty ? .admin : presented.flatMap { AccessToken.match($0.trimmingCharacters(in: .whitespaces), in: tokens) }?.scope
            return try await next(request, context)
        }
        if tokens.isEmpty || Self.open.contains(request.uri.path) {
            context.scope = .admin
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return APIError(.unauthorized, "unauthorized", "send Authorization: Bearer TOKEN").response(
                extra: [.wwwAuthenticate: "Bearer realm=\"steward\""])
        }
        guard let token = AccessToken.match(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), in: tokens) else {
            return APIError(.unauthorized, "unauthorized", "the bearer token is not valid").response(
                extra: [.wwwAuthenticate: "Bearer realm=\"steward\", error=\"invalid_token\""])
        }
        let reads = request.method == .get || request.method == .head
        guard token.scope == .admin || reads else {
            return APIError(.forbidden, "forbidden", "token '\(token.name)' has scope read; \(request.method) needs admin").response()
        }
        context.scope = token.scope
        return try await next(request, context)
    }
}

/// Security headers on every response.
