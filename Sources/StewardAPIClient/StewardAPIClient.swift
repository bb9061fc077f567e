import Foundation
import HTTPTypes
public import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// A typed client of Steward's HTTP API (`steward serve`), generated from the OpenAPI document
/// the server serves (`scripts/generate-api-client`): another Swift service enqueues, waits for
/// and inspects jobs, workflows and pipelines over HTTP, without access to the store.
///
/// ```swift
/// let api = StewardAPIClient.make(serverURL: URL(string: "http://steward.internal:8080")!, token: "…")
/// let created = try await api.enqueueJob(body: .json(.init(name: "reports.build", payload: .init(["month": "2026-11"]))))
/// ```
/// Every operation of the document is a method of the generated ``Client`` (named by its
/// `operationId`), with typed inputs and one case per documented response.
public enum StewardAPIClient {
    /// A client of the server at `serverURL` (its root, without `/api/v1`), sending `token` as a
    /// bearer token when given, over async-http-client.
    public static func make(serverURL: URL, token: String? = nil, transport: AsyncHTTPClientTransport = AsyncHTTPClientTransport())
        -> Client
    {
        // The server writes instants with milliseconds (`2026-12-06T09:00:00.123Z`).
        Client(
            serverURL: serverURL, configuration: Configuration(dateTranscoder: .iso8601WithFractionalSeconds), transport: transport,
            middlewares: token.map { [BearerToken(token: $0)] } ?? [])
    }
}

/// Adds `Authorization: Bearer TOKEN` to every request.
struct BearerToken: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}
