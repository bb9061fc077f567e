/// One field of a cron expression: its range, names, and parser.
struct CronField: Sendable {
    let name: String
    let low: Int
    let high: Int
    let names: [String: Int]

    static let second = CronField(name: "second", low: 0, high: 59, names: [:])
    static let minute = CronField(name: "minute", low: 0, high: 59, names: [:])
    static let hour = CronField(name: "hour", low: 0, high: 23, names: [:])
    static let dayOfMonth = CronField(name: "day-of-month", low: 1, high: 31, names: [:])
    static let month = CronField(
        name: "month", low: 1, high: 12,
        names: [
            "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10,
            "NOV": 11, "DEC": 12,
        ])
    // 7 is Sunday too; it is folded onto 0 after parsing.
    static let dayOfWeek = CronField(
        name: "day-of-week", low: 0, high: 7, names: ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6])

    /// A parsed field: plain values as bits, the extensions as lists.
    struct Parsed: Sendable, Equatable {
        var bits: UInt64 = 0
        /// The field starts with `*` or `?` (Vixie's unrestricted flag).
        var star = false
        /// `L` (offset 0) and `L-n`.
        var lastDayOffsets: [Int] = []
        /// `LW`.
        var lastWeekday = false
        /// `nW`.
        var nearestWeekday: [Int] = []
        /// `d#k`.
        var nthWeekday: [(weekday: Int, nth: Int)] = []
        /// `dL`.
        var lastOfWeekday: [Int] = []

        static func == (a: Parsed, b: Parsed) -> Bool {
            a.bits == b.bits && a.star == b.star && a.lastDayOffsets == b.lastDayOffsets && a.lastWeekday == b.lastWeekday
                && a.nearestWeekday == b.nearestWeekday && a.lastOfWeekday == b.lastOfWeekday
                && a.nthWeekday.map(\.weekday) == b.nthWeekday.map(\.weekday) && a.nthWeekday.map(\.nth) == b.nthWeekday.map(\.nth)
        }

        func matchesDayOfMonth(day: Int, weekday: Int, monthLength: Int) -> Bool {
            if bits & (1 << UInt64(day)) != 0 { return true }
            for offset in lastDayOffsets where day == monthLength - offset { return true }
            if lastWeekday, day == CivilDateTime.lastWeekday(weekdayOfLast: (weekday + monthLength - day) % 7, monthLength) {
                return true
            }
            for n in nearestWeekday where n <= monthLength {
                let weekdayOfN = ((weekday + n - day) % 7 + 7) % 7
                if day == CivilDateTime.nearestWeekday(to: n, weekdayOfN: weekdayOfN, monthLength: monthLength) { return true }
            }
            return false
        }

        func matchesDayOfWeek(day: Int, weekday: Int, monthLength: Int) -> Bool {
            if bits & (1 << UInt64(weekday)) != 0 { return true }
            for (d, k) in nthWeekday where d == weekday && (day - 1) / 7 + 1 == k { return true }
            for d in lastOfWeekday where d == weekday && day + 7 > monthLength { return true }
            return false
        }
    }

    func error(_ value: String, _ reason: String) -> CronError { CronError(field: name, value: value, reason: reason) }

    func parse(_ text: String) throws -> Parsed {
        var out = Parsed()
        out.star = text.hasPrefix("*") || text.hasPrefix("?")
        if text.hasPrefix("?"), text != "?" { throw error(text, "'?' must stand alone") }
        if text == "?" {
            guard self.name == Self.dayOfMonth.name || self.name == Self.dayOfWeek.name else {
                throw error(text, "'?' is only allowed in day-of-month and day-of-week")
            }
            out.bits = mask(low, high)
            return fold(out)
        }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for item in items {
            guard !item.isEmpty else { throw error(text, "empty item in list") }
            if try parseExtension(item, into: &out) { continue }
            out.bits |= try parseRange(item)
        }
        return fold(out)
    }

    /// Day-of-week 7 is Sunday.
    private func fold(_ p: Parsed) -> Parsed {
        guard name == Self.dayOfWeek.name, p.bits & (1 << 7) != 0 else { return p }
        var q = p
        q.bits = (q.bits & ~(1 << 7)) | 1
        return q
    }

    private func mask(_ a: Int, _ b: Int, step: Int = 1) -> UInt64 {
        var bits: UInt64 = 0
        for v in stride(from: a, through: b, by: step) { bits |= 1 << UInt64(v) }
        return bits
    }

    private func value(_ token: String, in item: String) throws -> Int {
        if let n = Int(token) {
            guard n >= low, n <= high else { throw error(item, "\(n) is out of range \(low)-\(high)") }
            return n
        }
        if let n = names[token.uppercased()] { return n }
        if token.isEmpty { throw error(item, "missing value") }
        if names.isEmpty || token.contains(where: \.isNumber) {
            throw error(item, "'\(token)' is not a number")
        }
        throw error(item, "unknown name '\(token)' (known: \(names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", ")))")
    }

    /// `*`, `a`, `a-b`, each optionally `/step`.
    private func parseRange(_ item: String) throws -> UInt64 {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { throw error(item, "more than one '/'") }
        var step = 1
        if parts.count == 2 {
            guard let s = Int(parts[1]) else { throw error(item, "step '\(parts[1])' is not a number") }
            guard s > 0 else { throw error(item, "step must be positive") }
            guard s <= high - low else { throw error(item, "step \(s) is larger than the field's range \(low)-\(high)") }
            step = s
        }
        let base = parts[0]
        if base == "*" { return mask(low, high, step: step) }
        let bounds = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        switch bounds.count {
        case 1:
            let a = try value(bounds[0], in: item)
            // `a/n` runs from a to the field's end.
            return parts.count == 2 ? mask(a, high, step: step) : mask(a, a)
        case 2:
            let a = try value(bounds[0], in: item)
            let b = try value(bounds[1], in: item)
            guard a <= b else { throw error(item, "reversed range \(a)-\(b)") }
            return mask(a, b, step: step)
        default:
            throw error(item, "malformed range")
        }
    }

    /// The extensions, in their own fields only; returns false for a plain item.
    private func parseExtension(_ item: String, into out: inout Parsed) throws -> Bool {
        let upper = item.uppercased()
        let isDom = name == Self.dayOfMonth.name
        let isDow = name == Self.dayOfWeek.name
        let digitsThen = { (suffix: Character) -> Bool in
            upper.count > 1 && upper.last == suffix && upper.dropLast().allSatisfy(\.isNumber)
        }
        let looksLikeExtension =
            upper.contains("#") || upper == "L" || upper == "LW" || upper.hasPrefix("L-") || digitsThen("W")
            || digitsThen("L")
        if !isDom && !isDow {
            if looksLikeExtension {
                throw error(item, "extensions (L, W, #) are only allowed in day-of-month and day-of-week")
            }
            return false
        }
        // No day-of-month names exist and no weekday name ends in L or holds '#'.
        let isExtension = isDom ? (upper.contains("L") || upper.contains("W") || upper.contains("#"))
            : (upper.contains("#") || upper.hasSuffix("L"))
        guard isExtension else { return false }
        if isDom {
            if upper == "L" {
                out.lastDayOffsets.append(0)
            } else if upper == "LW" {
                out.lastWeekday = true
            } else if upper.hasPrefix("L-") {
                guard let n = Int(upper.dropFirst(2)), n >= 0, n <= 30 else {
                    throw error(item, "'L-n' needs n in 0-30")
                }
                out.lastDayOffsets.append(n)
            } else if upper.hasSuffix("W") {
                guard let n = Int(upper.dropLast()) else { throw error(item, "'nW' needs a day number before W") }
                guard n >= 1, n <= 31 else { throw error(item, "\(n) is out of range 1-31") }
                out.nearestWeekday.append(n)
            } else if upper.contains("#") || digitsThen("L") {
                throw error(item, "'d#k' and 'dL' belong in day-of-week")
            } else {
                throw error(item, "malformed extension (day-of-month allows L, L-n, LW, nW)")
            }
            return true
        }
        // Day of week.
        if upper == "LW" || upper.hasPrefix("L-") || digitsThen("W") {
            throw error(item, "'L-n', 'LW' and 'nW' belong in day-of-month")
        }
        if upper.contains("#") {
            let parts = upper.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw error(item, "malformed 'd#k'") }
            let d = try value(parts[0], in: item) % 7
            guard let k = Int(parts[1]), k >= 1, k <= 5 else { throw error(item, "'d#k' needs k in 1-5") }
            out.nthWeekday.append((d, k))
            return true
        }
        if upper.hasSuffix("L") {
            let head = String(upper.dropLast())
            guard !head.isEmpty else { throw error(item, "'L' alone belongs in day-of-month; use 'dL' for the last weekday d") }
            out.lastOfWeekday.append(try value(head, in: item) % 7)
            return true
        }
        throw error(item, "malformed extension (day-of-week allows d#k, dL)")
    }
}
