import Foundation

/// Encodes any `Encodable` to compact JSON text as `JSONCoding.encode` specifies (keys sorted by
/// their UTF-8 bytes, slashes unescaped, instants as ISO 8601 with milliseconds), through a plain
/// tree rather than Foundation's encoder (a tenth of an HTTP enqueue's CPU went to it); its text
/// is Foundation's, which `JSONTextTests` checks side by side.
enum JSONTreeEncoder {
    static func encode(_ value: any Encodable) throws -> String {
        let root = Node()
        try Node.encode(value, into: root, path: [])
        guard root.isSet else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(type(of: value)) did not encode any values."))
        }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        root.write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// One value of the tree: a scalar's JSON text, or an array or object of nodes. A class, so a
/// container handed out keeps writing into its parent.
private final class Node {
    var scalar: [UInt8]?
    var array: [Node]?
    var object: [String: Node]?

    var isSet: Bool { scalar != nil || array != nil || object != nil }

    static func encode(_ value: any Encodable, into node: Node, path: [any CodingKey]) throws {
        switch value {
        case let date as Date: node.scalar = quoted(date.iso8601UTC)
        case let url as URL: node.scalar = quoted(url.absoluteString)
        case let data as Data: node.scalar = quoted(data.base64EncodedString())
        default:
            try value.encode(to: TreeEncoder(node: node, codingPath: path))
            // A value that asked for no container is an empty object, as with JSONEncoder.
            if !node.isSet { node.object = [:] }
        }
    }

    static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        JSONTextWriter.writeString(s, into: &out)
        return out
    }

    static func number<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T, path: [any CodingKey]) throws -> [UInt8] {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "Unable to encode \(T.self).\(value) directly in JSON."))
        }
        return Array(JSONTextWriter.floatText(value).utf8)
    }

    func write(into out: inout [UInt8]) {
        if let scalar {
            out.append(contentsOf: scalar)
        } else if let array {
            out.append(UInt8(ascii: "["))
            for (k, element) in array.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        } else if let object {
            out.append(UInt8(ascii: "{"))
            for (k, key) in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONTextWriter.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                object[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "{}".utf8)
        }
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.object == nil {
            node.scalar = nil
            node.array = nil
            node.object = [:]
        }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.array == nil {
            node.scalar = nil
            node.object = nil
            node.array = []
        }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> Node {
        let n = Node()
        node.object![key.stringValue] = n
        return n
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).scalar = Array("null".utf8) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).scalar = Array((value ? "true" : "false").utf8) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).scalar = Node.quoted(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).scalar = try Node.number(value, path: codingPath + [key]) }
    mutating func encode(_ value: Float, forKey key: Key) throws { child(key).scalar = try Node.number(value, path: codingPath + [key]) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { child(key).scalar = Array(String(value).utf8) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try Node.encode(value, into: child(key), path: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let n = Node()
        node.object!["super"] = n
        return TreeEncoder(node: n, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.array!.count }

    private func next() -> Node {
        let n = Node()
        node.array!.append(n)
        return n
    }

    mutating func encodeNil() throws { next().scalar = Array("null".utf8) }
    mutating func encode(_ value: Bool) throws { next().scalar = Array((value ? "true" : "false").utf8) }
    mutating func encode(_ value: String) throws { next().scalar = Node.quoted(value) }
    mutating func encode(_ value: Double) throws { next().scalar = try Node.number(value, path: codingPath + [IndexKey(count)]) }
    mutating func encode(_ value: Float) throws { next().scalar = try Node.number(value, path: codingPath + [IndexKey(count)]) }
    mutating func encode(_ value: Int) throws { next().scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int64) throws { next().scalar = Array(String(value).utf8) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        try Node.encode(value, into: next(), path: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(count)]
        return TreeEncoder(node: next(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        return TreeEncoder(node: next(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [IndexKey(count)]
        return TreeEncoder(node: next(), codingPath: path)
    }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.scalar = Array("null".utf8) }
    mutating func encode(_ value: Bool) throws { node.scalar = Array((value ? "true" : "false").utf8) }
    mutating func encode(_ value: String) throws { node.scalar = Node.quoted(value) }
    mutating func encode(_ value: Double) throws { node.scalar = try Node.number(value, path: codingPath) }
    mutating func encode(_ value: Float) throws { node.scalar = try Node.number(value, path: codingPath) }
    mutating func encode(_ value: Int) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int8) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int16) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int32) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: Int64) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt8) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt16) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt32) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode(_ value: UInt64) throws { node.scalar = Array(String(value).utf8) }
    mutating func encode<T: Encodable>(_ value: T) throws { try Node.encode(value, into: node, path: codingPath) }
}
