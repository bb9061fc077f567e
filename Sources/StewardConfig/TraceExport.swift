import Foundation
import Steward
import Yams

/// Where `steward serve` / `steward worker` send their spans: the `tracing` section of the
/// configuration file, or `steward worker --otlp-endpoint`. Exporting needs a binary built with
/// the `OTLP` package trait (`swift build --traits OTLP`); without it the section is refused at
/// load, so a configuration never silently loses its traces.
public struct TraceExport: Sendable, Equatable {
    /// OTLP/HTTP encodings.
    public enum WireProtocol: String, Sendable, CaseIterable {
        /// `application/x-protobuf`, the OTLP default.
        case httpProtobuf = "http/protobuf"
        /// `application/json`.
        case httpJSON = "http/json"
    }

    /// The collector's base URL (as `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://127.0.0.1:4318`);
    /// spans go to `<endpoint>/v1/traces` unless the URL already ends with `/v1/traces`.
    public var endpoint: String
    /// The encoding.
    public var wireProtocol: WireProtocol
    /// `service.name` on every span.
    public var serviceName: String
    /// Extra request headers (an API key for a hosted collector). Values are secrets: never printed.
    public var headers: [String: String]

    /// Whether this binary can export (built with the `OTLP` trait).
    public static var isAvailable: Bool {
        #if OTLP
            true
        #else
            false
        #endif
    }

    /// Checks the values; the message names the field.
    public init(endpoint: String, wireProtocol: WireProtocol = .httpProtobuf, serviceName: String = "steward", headers: [String: String] = [:])
        throws
    {
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationFailure("otlp_endpoint: '\(endpoint)' is not an http(s) URL such as http://127.0.0.1:4318")
        }
        guard !serviceName.isEmpty else { throw ValidationFailure("service_name: must not be empty") }
        guard Self.isAvailable else {
            throw ValidationFailure(
                "otlp_endpoint: this steward binary was built without OTLP export; build it with `swift build --traits OTLP`")
        }
        self.endpoint = endpoint
        self.wireProtocol = wireProtocol
        self.serviceName = serviceName
        self.headers = headers
    }

    /// The URL spans are posted to.
    public var tracesURL: String {
        if endpoint.hasSuffix("/v1/traces") { return endpoint }
        return endpoint.hasSuffix("/") ? endpoint + "v1/traces" : endpoint + "/v1/traces"
    }

    /// A problem with a value, its field named.
    public struct ValidationFailure: Error, CustomStringConvertible {
        /// What is wrong.
        public var description: String
        /// A failure saying `description`.
        public init(_ description: String) { self.description = description }
    }

    /// `tracing: {otlp_endpoint, protocol, service_name, headers: {NAME: value | env:VAR}}`.
    static func parse(_ node: Node, _ reader: YAMLReader, environment: [String: String]) throws -> TraceExport {
        let m = try reader.mapping(node, "tracing", allowed: ["otlp_endpoint", "protocol", "service_name", "headers"])
        guard let endpointNode = m["otlp_endpoint"] else { throw reader.error(node, "tracing: missing 'otlp_endpoint'") }
        var wire = WireProtocol.httpProtobuf
        if let p = m["protocol"] {
            let text = try reader.string(p, "tracing protocol")
            guard let parsed = WireProtocol(rawValue: text) else {
                throw reader.error(p, "tracing protocol: '\(text)' is not http/protobuf or http/json")
            }
            wire = parsed
        }
        var headers: [String: String] = [:]
        if let h = m["headers"] {
            for (k, v) in try reader.pairs(h, "tracing headers") {
                let name = try reader.string(k, "tracing header name")
                let value = try reader.string(v, "tracing header '\(name)'")
                if value.hasPrefix("env:") {
                    let variable = String(value.dropFirst(4))
                    // Named, never printed: the value is a secret.
                    guard let secret = environment[variable], !secret.isEmpty else {
                        throw reader.error(v, "tracing header '\(name)': environment variable \(variable) is not set")
                    }
                    headers[name] = secret
                } else {
                    headers[name] = value
                }
            }
        }
        do {
            return try TraceExport(
                endpoint: try reader.string(endpointNode, "tracing otlp_endpoint"), wireProtocol: wire,
                serviceName: try m["service_name"].map { try reader.string($0, "tracing service_name") } ?? "steward", headers: headers)
        } catch let failure as ValidationFailure {
            throw reader.error(failure.description.hasPrefix("service_name") ? (m["service_name"] ?? node) : endpointNode, "tracing \(failure)")
        }
    }
}
