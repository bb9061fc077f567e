import Foundation
import Steward

/// Prints one JSON document with sorted keys (the library's encoding, shared with every surface).
func printJSON(_ value: some Encodable) throws {
    print(try JSONCoding.encode(value))
}

/// `1 retry` / `2 retries`.
func plural(_ n: Int, _ one: String, _ many: String) -> String {
    "\(n) \(n == 1 ? one : many)"
}

func describeProgress(_ p: JobProgress) -> String {
    var parts: [String] = []
    if let step = p.step { parts.append(p.totalSteps.map { "step \(step)/\($0)" } ?? "step \(step)") }
    if let pct = p.percent { parts.append(String(format: "%.0f%%", pct)) }
    if let m = p.message { parts.append("\"\(m)\"") }
    return parts.joined(separator: ", ")
}


extension String {
    /// The text with control characters (terminal escape codes, newlines) shown as escapes, for
    /// human output: a stored name or message must not drive the terminal.
    var printable: String {
        guard unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += scalar.value < 0x100 ? String(format: "\\x%02x", scalar.value) : String(format: "\\u{%x}", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Rows under a header, each column as wide as its widest cell (long names never shift the
/// columns after them); the last column is not padded.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }
        print(cells.joined(separator: "  "))
    }
}
