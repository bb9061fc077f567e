import Foundation

/// Hand-written JSON for output records: fast, stable key order, numbers printed shortest.
enum JSONWriter {
    static func write(_ r: MeasureResult, into out: inout String) {
        switch r {
        case .null: out += "null"
        case .number(let v): writeNumber(v, into: &out)
        case .integer(let v): out += String(v)
        case .bool(let v): out += v ? "true" : "false"
        case .value(let v): write(v, into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                writeString(k, into: &out)
                out += ":"
                write(v, into: &out)
            }
            out += "}"
        }
    }

    static func write(_ v: QualityValue, into out: inout String) {
        switch v {
        case .null: out += "null"
        case .int(let x): out += String(x)
        case .double(let x): writeNumber(x, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .bool(let b): out += b ? "true" : "false"
        }
    }

    static func writeNumber(_ v: Double, into out: inout String) {
        guard v.isFinite else { return out += "null" }
        if v == v.rounded(), abs(v) < 1e15 { out += String(Int64(v)) } else { out += "\(v)" }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
