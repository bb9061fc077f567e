/// The common shape of accuracy patterns (`[^@]+@[^@]+`, `s[0-9]+`, `[A-Z]{3}-\d{4}`): a
/// sequence of literals, `.`, classes and `\d \w \s` (and their negations), each with `*`, `+`,
/// `?` or `{m}`, `{m,}`, `{m,n}`. Matched on bytes against the whole value, with backtracking.
/// Anything else (groups, alternation, anchors, flags, other escapes) is `nil` and left to
/// `NSRegularExpression`; so are values with non-ASCII bytes, so both always agree.
package struct SimplePattern: Sendable {
    struct Atom: Sendable {
        /// Which bytes match (ASCII only: 128 bits).
        var low: UInt64
        var high: UInt64
        var min: Int
        var max: Int

        func matches(_ b: UInt8) -> Bool {
            b < 64 ? (low >> UInt64(b)) & 1 == 1 : b < 128 ? (high >> UInt64(b - 64)) & 1 == 1 : false
        }
    }

    let atoms: [Atom]

    package init?(_ pattern: String) {
        let p = Array(pattern.utf8)
        guard p.allSatisfy({ $0 < 128 }) else { return nil }
        var atoms: [Atom] = []
        var i = 0
        func set(_ bytes: some Sequence<UInt8>) -> (UInt64, UInt64) {
            var lo: UInt64 = 0
            var hi: UInt64 = 0
            for b in bytes where b < 128 {
                if b < 64 { lo |= 1 << UInt64(b) } else { hi |= 1 << UInt64(b - 64) }
            }
            return (lo, hi)
        }
        let digits = Array(UInt8(ascii: "0")...UInt8(ascii: "9"))
        let word = digits + Array(UInt8(ascii: "a")...UInt8(ascii: "z")) + Array(UInt8(ascii: "A")...UInt8(ascii: "Z")) + [UInt8(ascii: "_")]
        let space: [UInt8] = [9, 10, 11, 12, 13, 32]  // ICU's \s on ASCII (\v included)
        // The bytes of a class escape, or nil for an escape this matcher does not know.
        func escapeSet(_ c: UInt8) -> (set: [UInt8], negated: Bool)? {
            switch c {
            case UInt8(ascii: "d"): return (digits, false)
            case UInt8(ascii: "D"): return (digits, true)
            case UInt8(ascii: "w"): return (word, false)
            case UInt8(ascii: "W"): return (word, true)
            case UInt8(ascii: "s"): return (space, false)
            case UInt8(ascii: "S"): return (space, true)
            default:
                // Escaped punctuation stands for itself.
                let punctuation = Array(#".-[]{}()*+?^$|\/@#:,_~!%&='"<>;`"#.utf8)
                return punctuation.contains(c) ? ([c], false) : nil
            }
        }
        func complement(_ s: (UInt64, UInt64)) -> (UInt64, UInt64) { (~s.0, ~s.1) }
        while i < p.count {
            var bits: (UInt64, UInt64)
            let c = p[i]
            switch c {
            case UInt8(ascii: "."):
                // Any character but a line terminator (ICU's default: \n, \v, \f, \r).
                bits = complement(set([10, 11, 12, 13]))
                i += 1
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count, let e = escapeSet(p[i + 1]) else { return nil }
                bits = e.negated ? complement(set(e.set)) : set(e.set)
                i += 2
            case UInt8(ascii: "["):
                i += 1
                var negated = false
                if i < p.count, p[i] == UInt8(ascii: "^") {
                    negated = true
                    i += 1
                }
                var members: [UInt8] = []
                var first = true
                while true {
                    guard i < p.count else { return nil }
                    var b = p[i]
                    if b == UInt8(ascii: "]"), !first { break }
                    // Nested sets, set operations and POSIX names are left to ICU.
                    if b == UInt8(ascii: "[") || b == UInt8(ascii: "&") { return nil }
                    if b == UInt8(ascii: "-"), i + 1 < p.count, p[i + 1] == UInt8(ascii: "-") { return nil }
                    if b == UInt8(ascii: "\\") {
                        guard i + 1 < p.count, let e = escapeSet(p[i + 1]) else { return nil }
                        if e.negated { return nil }
                        if e.set.count == 1 {
                            b = e.set[0]
                            i += 2
                        } else {
                            members += e.set
                            i += 2
                            first = false
                            continue
                        }
                    } else {
                        i += 1
                    }
                    // A range a-z (a '-' first or last is itself).
                    if i + 1 < p.count, p[i] == UInt8(ascii: "-"), p[i + 1] != UInt8(ascii: "]") {
                        var to = p[i + 1]
                        var width = 2
                        if to == UInt8(ascii: "\\") {
                            guard i + 2 < p.count, let e = escapeSet(p[i + 2]), e.set.count == 1, !e.negated else { return nil }
                            to = e.set[0]
                            width = 3
                        } else if to == UInt8(ascii: "[") {
                            return nil
                        }
                        guard b <= to else { return nil }
                        members += Array(b...to)
                        i += width
                    } else {
                        members.append(b)
                    }
                    first = false
                }
                i += 1
                bits = negated ? complement(set(members)) : set(members)
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "*"),
                UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "#"):
                return nil
            default:
                guard c >= 32, c != 127 else { return nil }
                bits = set([c])
                i += 1
            }
            var atom = Atom(low: bits.0, high: bits.1, min: 1, max: 1)
            if i < p.count {
                switch p[i] {
                case UInt8(ascii: "*"): (atom.min, atom.max, i) = (0, Int.max, i + 1)
                case UInt8(ascii: "+"): (atom.min, atom.max, i) = (1, Int.max, i + 1)
                case UInt8(ascii: "?"): (atom.min, atom.max, i) = (0, 1, i + 1)
                case UInt8(ascii: "{"):
                    guard let close = p[i...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
                    let inside = String(decoding: p[(i + 1)..<close], as: UTF8.self)
                    let parts = inside.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let m = Int(parts[0]), m <= 1_000 else { return nil }
                    if parts.count == 1 {
                        (atom.min, atom.max) = (m, m)
                    } else if parts[1].isEmpty {
                        (atom.min, atom.max) = (m, Int.max)
                    } else {
                        guard let n = Int(parts[1]), n >= m, n <= 1_000 else { return nil }
                        (atom.min, atom.max) = (m, n)
                    }
                    i = close + 1
                default: break
                }
                // Lazy and possessive quantifiers, or a quantifier on a quantifier: left to ICU.
                if i < p.count, [UInt8(ascii: "?"), UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "{")].contains(p[i]) { return nil }
            }
            atoms.append(atom)
        }
        self.atoms = atoms
    }

    /// Whether the whole of `bytes` matches; `nil` when a byte is not ASCII (ask ICU).
    package func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        for b in bytes where b >= 128 { return nil }
        var steps = 0
        let result = match(0, 0, bytes, &steps)
        return steps > 1_000_000 ? nil : result
    }

    private func match(_ a: Int, _ at: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ steps: inout Int) -> Bool {
        steps += 1
        if steps > 1_000_000 { return false }
        guard a < atoms.count else { return at == bytes.count }
        let atom = atoms[a]
        // Greedy: take as many as match, then give back.
        var n = 0
        while n < atom.max, at + n < bytes.count, atom.matches(bytes[at + n]) { n += 1 }
        guard n >= atom.min else { return false }
        if a == atoms.count - 1 { return at + n == bytes.count }
        while n >= atom.min {
            if match(a + 1, at + n, bytes, &steps) { return true }
            n -= 1
        }
        return false
    }
}
