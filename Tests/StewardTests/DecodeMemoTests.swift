import Foundation
import StewardSupport
import Synchronization
import Testing

@Suite("Decoding a stored record's text once")
struct DecodeMemoTests {
    /// Counts how often it is decoded.
    struct Counted: Decodable, Sendable, Equatable {
        static let decodes = Atomic<Int>(0)
        var value: Int
        init(from decoder: any Decoder) throws {
            Self.decodes.add(1, ordering: .relaxed)
            value = try decoder.container(keyedBy: Key.self).decode(Int.self, forKey: .value)
        }
        enum Key: CodingKey { case value }
    }

    @Test("the same text is decoded once; another text, an error and a full budget decode anew")
    func memo() throws {
        let memo = DecodeMemo<Counted>(budget: 160)
        let before = Counted.decodes.load(ordering: .relaxed)
        #expect(try memo.decode(#"{"value":1}"#).value == 1)
        #expect(try memo.decode(#"{"value":1}"#).value == 1)
        #expect(Counted.decodes.load(ordering: .relaxed) - before == 1)
        // A different text (the same value spelled otherwise included) is its own entry.
        #expect(try memo.decode(#"{"value": 1}"#).value == 1)
        #expect(try memo.decode(#"{"value":2}"#).value == 2)
        #expect(Counted.decodes.load(ordering: .relaxed) - before == 3)
        // Errors are not remembered: they are thrown each time.
        #expect(throws: DecodingError.self) { try memo.decode(#"{"other":1}"#) }
        #expect(throws: DecodingError.self) { try memo.decode(#"{"other":1}"#) }
        // Past its budget (160 bytes) it starts over, so the first text decodes again.
        for i in 3..<20 { _ = try memo.decode(#"{"value":\#(i)}"#) }
        let counted = Counted.decodes.load(ordering: .relaxed)
        #expect(try memo.decode(#"{"value":1}"#).value == 1)
        #expect(Counted.decodes.load(ordering: .relaxed) == counted + 1)
    }
}
