import Synchronization

/// Values of one type decoded from JSON, remembered by the exact text they came from: a stored
/// record read again unchanged (a workflow run's, which every task of the run reads) is not
/// decoded again. Decoding is a function of the text, so a hit is the value decoding would give.
/// Bounded by the bytes of text it holds: past `budget`, it starts over.
package final class DecodeMemo<T: Decodable & Sendable>: Sendable {
    private struct State {
        var values: [String: T] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    private let budget: Int

    /// A memo holding at most `budget` bytes of text.
    package init(budget: Int = 4 << 20) {
        self.budget = budget
    }

    /// The value `text` decodes to (``JSONCoding/decode(_:from:)``).
    package func decode(_ text: String) throws -> T {
        if let hit = state.withLock({ $0.values[text] }) { return hit }
        let value = try JSONCoding.decode(T.self, from: text)
        let size = text.utf8.count
        if size <= budget / 8 {
            state.withLock { s in
                if s.bytes + size > budget {
                    s.values.removeAll(keepingCapacity: true)
                    s.bytes = 0
                }
                if s.values.updateValue(value, forKey: text) == nil { s.bytes += size }
            }
        }
        return value
    }
}
