import Foundation
import Steward
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

    @Test("JSONCoding.decode of any JSON takes the hand parser: the same value, and a DecodingError for broken text")
    func decodeAnyJSON() throws {
        for text in Self.texts {
            if let expected = JSONValue.foundationParsing(text) {
                #expect(try JSONCoding.decode(JSONValue.self, from: text) == expected, "\(text.debugDescription)")
            } else {
                #expect(throws: DecodingError.self, "\(text.debugDescription)") { try JSONCoding.decode(JSONValue.self, from: text) }
            }
        }
    }

    @Test("a stored job's metadata and retry policy decode as Foundation's decoder decodes them, and refuse what it refuses")
    func storedJobColumns() throws {
        let metadata = [
            "{}", #"{"a":"b"}"#, #"{"workflow.run":"r-1","task":"t\u00e9\n","emoji":"😀"}"#, #"{ "k" : "v" , "k2":"" }"#,
            #"{"a":1}"#, #"{"a":null}"#, #"["a"]"#, #""a""#, "{", #"{"a":"b",}"#,
        ]
        for text in metadata {
            let expected = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
            if let expected {
                #expect(try JobRecord.decodeStored(retryPolicy: nil, metadata: text).1 == expected, "\(text)")
            } else {
                #expect(throws: (any Error).self, "\(text)") { try JobRecord.decodeStored(retryPolicy: nil, metadata: text) }
            }
        }
        let policy = RetryPolicy.linear(maxAttempts: 7, initial: .seconds(2), step: .seconds(3))
        let text = try JSONCoding.encode(policy)
        // Twice: the second from the memo.
        for _ in 0..<2 { #expect(try JobRecord.decodeStored(retryPolicy: text, metadata: nil).0 == policy) }
        #expect(throws: (any Error).self) { try JobRecord.decodeStored(retryPolicy: #"{"kind":"nope"}"#, metadata: nil) }
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

    /// A type with every primitive the encoder special-cases, optionals, nesting, non-String keys.
    struct Everything: Encodable {
        enum Mood: String, Encodable { case calm, loud }
        struct Inner: Encodable { var x: Int; var tags: [String] }
        var b = true
        var s = "a/b \"q\" \u{1}"
        var d: Double
        var f: Float
        var i = -42
        var i8: Int8 = -8
        var u64: UInt64 = .max
        var date = Date(timeIntervalSince1970: 1_765_000_000.123)
        var url = URL(string: "https://example.com/a?b=c")!
        var data = Data([0, 1, 2, 250])
        var missing: String? = nil
        var present: String? = "here"
        var mood = Mood.loud
        var inner = Inner(x: 1, tags: ["t1", "t2"])
        var byInt: [Int: String] = [2: "b", 10: "j", 1: "a"]
        var nested: [[Double]] = [[1.0, 2.5], [], [1e20, -0.0]]
        var json: JSONValue = ["k": [1, 2.5, "s", nil, true], "Z": 1e16, "a": 0.1]
    }

    @Test("encoding: JSONCoding.encode writes Foundation's text for the library's own types and every primitive")
    func encoding() throws {
        let now = Date(timeIntervalSince1970: 1_765_000_123.456)
        let error = JobErrorInfo(type: "Timeout", message: "slow \"upstream\"/x", attempt: 2)
        let record = JobRecord(
            id: JobID(7), queue: "mail", name: "send", payload: #"{"to":"ada@example.com","n":9007199254740993,"f":1.5}"#, state: .dead,
            priority: 3, runAt: now, attempt: 2, maxAttempts: 5, timeout: .seconds(30), retryPolicy: .exponential(retryOn: ["Timeout"]),
            metadata: ["tenant": "a", "b": "c"], uniqueKey: "u-1", progress: JobProgress(step: 1, totalSteps: 3, percent: 33.3, message: "m"),
            result: #"[1,{"x":null}]"#, lastError: error, originalQueue: "mail", leaseOwner: nil, leaseExpiresAt: nil, createdAt: now,
            startedAt: now, finishedAt: now, dependsOn: [JobID(1), JobID(2)])
        let run = DurableRunRecord(
            id: "order-1", workflow: "orders", queue: "default", input: #"{"id":1}"#, output: "null", error: error, job: JobID(3),
            waiting: DurableWait(kind: .message, topic: "approve", until: now), deadline: now, createdAt: now, updatedAt: now)
        let step = DurableStepRecord(run: "order-1", seq: 2, kind: .step, name: "charge", state: .failed, output: nil, error: error, attempts: 3, startedAt: now, finishedAt: now)
        let values: [any Encodable] = [
            JobView(record), run, step, error,
            WorkerView(WorkerPresence(id: "h:1:x", host: "h", pid: 1, queues: [.init(name: "q", concurrency: 2)], running: 1, startedAt: now, lastHeartbeatAt: now), now: now.addingTimeInterval(12.5)),
            QueueStats(queue: "q", paused: false, counts: ["available": 1, "dead": 0], running: 2, succeededLastMinute: 3, failedLastMinute: 1, oldestWaitingAgeSeconds: 1.23456), RetryPolicy.linear(maxAttempts: 3), JobProgress(percent: 12.5),
            Everything(d: 3.0, f: 0.1), Everything(d: 1e15, f: 2.5), Everything(d: 0.1, f: 1e-7), Everything(d: -123456.789, f: 3.0),
            ["a": 1, "b": 2], [1.5, 2.0, 1e300], "top", 42, 1.0, JSONValue.null,
        ]
        for v in values {
            #expect(try JSONCoding.encode(v) == JSONCoding.foundationEncode(v), "\(type(of: v))")
        }
        #expect(throws: EncodingError.self) { try JSONCoding.encode(Double.nan) }
        #expect(throws: EncodingError.self) { try JSONCoding.encode(Everything(d: .infinity, f: 1)) }
    }
}
