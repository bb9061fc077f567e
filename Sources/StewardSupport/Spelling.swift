/// Typos in names: the nearest known name, for "did you mean" in errors.
public enum Spelling {
    /// The Levenshtein distance between `a` and `b`.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return row[b.count]
    }

    /// The candidate nearest to `word`, when it is near enough to be what was meant (at most 2
    /// edits, or a third of the word).
    public static func nearest(_ word: String, in candidates: [String]) -> String? {
        guard let best = candidates.min(by: { distance($0, word) < distance($1, word) }) else { return nil }
        return distance(best, word) <= max(2, word.count / 3) ? best : nil
    }

    /// `"; did you mean 'x'?"`, or nothing when no candidate is near.
    public static func didYouMean(_ word: String, in candidates: [String]) -> String {
        nearest(word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
