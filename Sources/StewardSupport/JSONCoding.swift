import Foundation

/// JSON helpers shared by the client, registry and stores.
public enum JSONCoding {
    /// Encodes a value as compact JSON text with sorted keys (stable output).
    public static func encode(_ value: any Encodable) throws -> String {
        try JSONTreeEncoder.encode(value)
    }

    /// What ``encode(_:)`` gave through Foundation's `JSONEncoder` (kept to test the tree encoder
    /// against).
    package static func foundationEncode(_ value: any Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Milliseconds kept: `.iso8601` would cut stored instants to whole seconds.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(date.iso8601UTC)
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        // Any JSON: parsed by hand (Foundation's decoder would try each kind of value in turn,
        // throwing at each miss, at every level).
        if T.self == JSONValue.self {
            guard let value = JSONValue(parsing: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON."))
            }
            return value as! T
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = Date(iso8601: text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 instant: \(text)"))
        }
        return try decoder.decode(type, from: Data(text.utf8))
    }
}
