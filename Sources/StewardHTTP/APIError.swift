import Foundation
import Hummingbird
import NIOCore
import Steward
import StewardConfig

/// An error as every API response carries it: `{"error": {"code", "message", "field"}}` with a
/// 4xx status for anything the request got wrong (never a 5xx for a malformed request).
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`invalid_argument`, `not_found`, `unauthorized`, …).
    public var code: String
    /// What is wrong, naming the field and value.
    public var message: String
    /// The request field at fault, when one is.
    public var field: String?

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// A bad value in the request body or query.
    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, "invalid_argument", "\(field): \(message)", field: field)
    }

    /// The API's view of any error a handler raised.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as StewardError:
            switch e {
            case let .invalidArgument(field, message):
                return APIError(.badRequest, "invalid_argument", message, field: field)
            case .jobNotFound, .scheduleNotFound, .queueNotFound, .workflowNotFound, .workflowRunNotFound:
                return APIError(.notFound, "not_found", "\(e)")
            case .parentNotFound: return APIError(.unprocessableContent, "parent_not_found", "\(e)", field: "after")
            case .invalidTransition, .invalidWorkflowTransition: return APIError(.conflict, "invalid_transition", "\(e)")
            case .queueFull: return APIError(.tooManyRequests, "queue_full", "\(e)")
            case .idempotencyKeyReused: return APIError(.unprocessableContent, "idempotency_key_reused", "\(e)", field: "Idempotency-Key")
            case .waitTimedOut: return APIError(.gatewayTimeout, "timeout", "\(e)")
            case .jobDidNotSucceed: return APIError(.conflict, "job_failed", "\(e)")
            case .storeUnavailable: return APIError(.serviceUnavailable, "store_unavailable", "\(e)")
            }
        case let e as NIOTooManyBytesError:
            return APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(e.maxBytes.map { "\($0) bytes" } ?? "allowed")")
        case let e as ConfigFileError: return APIError(.badRequest, "invalid_definition", "\(e)")
        case let e as WorkflowDefinitionError: return APIError(.badRequest, "invalid_definition", e.description)
        case let e as PipelineError:
            switch e {
            case .executionNotFound, .unknownPipeline, .unknownDataset: return APIError(.notFound, "not_found", "\(e)")
            case .alreadyFinished: return APIError(.conflict, "invalid_transition", "\(e)")
            case .lineageCycle: return APIError(.badRequest, "invalid_definition", "\(e)")
            case .invalid(let field, _):
                return APIError(.badRequest, "invalid_argument", "\(e)", field: field)
            }
        case let e as HTTPError:
            switch e.status {
            case .notFound: return APIError(.notFound, "not_found", e.body ?? "no such route")
            case .contentTooLarge: return APIError(.contentTooLarge, "body_too_large", e.body ?? "the request body is too large")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", e.body ?? "method not allowed")
            default: return APIError(e.status, "http_\(e.status.code)", e.body ?? e.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, "internal", "\(error)")
        }
    }

    /// The JSON response.
    func response() -> Response {
        let body: [String: JSONValue] = ["code": .string(code), "message": .string(message), "field": field.map { .string($0) } ?? .null]
        return JSONResponse.make(JSONValue.object(["error": .object(body)]), status: status)
    }
}

/// JSON responses through the library's encoder (the shapes `--json` prints).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        let text = (try? JSONCoding.encode(value)) ?? #"{"error":{"code":"internal","message":"could not encode the response","field":null}}"#
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
