import Foundation
import StewardSupport
import Testing

/// The hand-written JSON parser and writer against Foundation's decoder and encoder, which they
/// replace: the same values from the same text, the same text from the same values.
@Suite("JSON text")
struct JSONTextTests {
    static let texts: [String] = [
        "null", "true", "false", "0", "-0", "1", "-1", "42", "1.0", "-0.0", "1e3", "1E3", "1.5", "2.5e-3", "1e-400", "1E400", "0.1e1",
        "123.000", "1e18", "1e19", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "12345678901234567890",
        "100000000000000000000.0", "0.1", "3.141592653589793", "1.7976931348623157e308", "5e-324", "4.9e-324",
        "\"\"", "\"a\"", "\"a b\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0041\\u00e9\\u4e2d\"", "\"\\ud83d\\ude00\"", "\"😀 é 中\"",
        "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"\\u12\"", "\"\\x\"", "\"a\tb\"", "\"a\nb\"", "\"unterminated",
        "[]", "[1]", "[1,2,3]", " [ 1 , 2 ] ", "[1,]", "[,1]", "[1,,2]", "[", "]", "[1 2]",
        "{}", "{\"a\":1}", "{\"a\":1,\"b\":[true,null]}", "{\"a\":1,\"a\":2}", "{\"a\":1,}", "{,}", "{\"a\"}", "{\"a\":}", "{a:1}",
        "{\"k\": {\"n\": {\"m\": [1, {\"x\": \"y\"}]}}}", "\n\t {\"a\" : \"b\" } \r\n",
        "", "  ", "tru", "nul", "truex", "01", "1.", ".5", "-", "+1", "1 2", "1e", "1e+", "--1", "0x10", "NaN", "Infinity",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ]

    @Test("parsing: the same value (or none) as Foundation's decoder, for valid and broken text alike")
    func parsing() {
        for text in Self.texts {
            #expect(JSONValue(parsing: text) == JSONValue.foundationParsing(text), "\(text.debugDescription)")
        }
    }

    /// Values built from a seed: nested, with every kind, odd strings and numbers.
    static func value(_ rng: inout SystemRandomNumberGenerator, depth: Int) -> JSONValue {
        let strings = ["", "a", "é", "😀", "\"q\"", "back\\slash", "a/b", "tab\t", "nl\n", "\u{1}\u{1f}\u{7f}", "\u{2028}\u{2029}", "Zz", "zZ", "Ä", "10", "9"]
        let numbers: [Double] = [0.1, -2.5, 1e20, 1e-7, 123456.789, 9e15, 8.9e15, -1e300, .leastNonzeroMagnitude, 0.5, 1.0, -0.0, 3.0e15]
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .integer([0, 1, -1, Int64.max, Int64.min, 9_007_199_254_740_993, 42][Int.random(in: 0..<7, using: &rng)])
        case 3: return .number(numbers[Int.random(in: 0..<numbers.count, using: &rng)])
        case 4: return .string(strings[Int.random(in: 0..<strings.count, using: &rng)])
        case 5: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &rng) { o[strings[Int.random(in: 0..<strings.count, using: &rng)]] = value(&rng, depth: depth + 1) }
            return .object(o)
        }
    }

    @Test("writing: the same text as Foundation's encoder (sorted keys, unescaped slashes), and it parses back to the same value")
    func writing() {
        var rng = SystemRandomNumberGenerator()
        var samples: [JSONValue] = [.number(.infinity), .number(.nan), .array([.number(.infinity)]), .string("</script>")]
        for _ in 0..<2_000 { samples.append(Self.value(&rng, depth: 0)) }
        for v in samples {
            let text = v.jsonText
            #expect(text == v.foundationJSONText, "\(v)")
            #expect(JSONValue(parsing: text) == JSONValue.foundationParsing(text), "\(text)")
        }
        for text in Self.texts {
            if let v = JSONValue(parsing: text) { #expect(v.jsonText == v.foundationJSONText, "\(text.debugDescription)") }
        }
    }
}
