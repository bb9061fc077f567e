import Foundation
import Hummingbird
import NIOCore
import Steward

/// A JSON request body read field by field: each getter names the field when its value is wrong.
struct Body {
    let fields: [String: JSONValue]

    /// Reads the body (at most `limit` bytes) as a JSON object; an empty body is `{}`.
    static func read(_ request: Request, limit: Int, allowed: Set<String>) async throws -> Body {
        let buffer = try await request.body.collect(upTo: limit)
        let text = String(buffer: buffer)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return Body(fields: [:]) }
        guard let value = JSONValue(parsing: text) else { throw APIError(.badRequest, "invalid_json", "the body is not valid JSON") }
        guard case .object(let fields) = value else { throw APIError(.badRequest, "invalid_json", "the body must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalid(unknown, "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        return Body(fields: fields)
    }

    func string(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let v?: throw APIError.invalid(key, "expected a string, got \(v.jsonText)")
        }
    }

    func int(_ key: String) throws -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .integer(let i)?: return Int(exactly: i) ?? 0
        case .number(let d)? where d.rounded() == d && abs(d) < 9e15: return Int(d)
        case let v?: throw APIError.invalid(key, "expected a whole number, got \(v.jsonText)")
        }
    }

    /// A duration: seconds as a number, or text such as `30s`, `5m`.
    func duration(_ key: String) throws -> Duration? {
        do {
            switch fields[key] {
            case nil, .null?: return nil
            case .string(let s)?: return try DurationParser.parse(s, field: key)
            case let v?:
                guard let seconds = v.numeric else { throw APIError.invalid(key, "expected seconds or a duration such as \"30s\"") }
                return .seconds(double: try DurationParser.checked(seconds, field: key))
            }
        } catch let e as StewardError {
            throw APIError.invalid(key, "\(e)".replacingOccurrences(of: "\(key): ", with: ""))
        }
    }

    /// An ISO 8601 instant.
    func instant(_ key: String) throws -> Date? {
        guard let text = try string(key) else { return nil }
        if let d = Date(iso8601: text) { return d }
        throw APIError.invalid(key, "'\(text)' is not an ISO 8601 instant (e.g. 2026-12-01T09:00:00Z)")
    }

    func stringMap(_ key: String) throws -> [String: String] {
        switch fields[key] {
        case nil, .null?: return [:]
        case .object(let o)?:
            var out: [String: String] = [:]
            for (k, v) in o {
                guard case .string(let s) = v else { throw APIError.invalid(key, "'\(k)' must map to a string") }
                out[k] = s
            }
            return out
        case let v?: throw APIError.invalid(key, "expected an object of strings, got \(v.jsonText)")
        }
    }

    func ids(_ key: String) throws -> [JobID] {
        switch fields[key] {
        case nil, .null?: return []
        case .array(let a)?:
            return try a.map {
                guard case .integer(let i) = $0, i > 0 else { throw APIError.invalid(key, "expected job ids, got \($0.jsonText)") }
                return JobID(i)
            }
        case let v?: throw APIError.invalid(key, "expected a list of job ids, got \(v.jsonText)")
        }
    }
}
