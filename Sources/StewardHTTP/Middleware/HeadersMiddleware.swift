import Foundation
import Hummingbird
import Logging
import Steward

struct HeadersMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: StewardRequestContext, next: (Request, StewardRequestContext) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension APIError {
    func response(extra: HTTPFields) -> Response {
        var r = response()
        r.headers.append(contentsOf: extra)
        return r
    }
}
