import Foundation
import StewardSupport

/// Reads a batch check's input record by record without making a `String` of each field: CSV is
/// split into byte ranges of a 1 MiB read buffer (a quoted field with doubled quotes is unescaped
/// into a scratch buffer), and only the columns the check uses are looked at. JSON Lines records
/// are parsed and their used fields kept as UTF-8.
struct BatchScanner {
    /// The columns the check uses, in its order; `field(i)` answers for `columns[i]`.
    let columns: [String]
    private let handle: FileHandle
    private let json: Bool
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    /// CSV: the file column of each used column (nil when the header lacks it).
    private var index: [Int?] = []
    /// CSV: the header's names.
    private(set) var header: [String] = []
    /// JSON Lines: whether any record so far had each used column as a key.
    private(set) var seen: [Bool]
    /// Whether the input is JSON Lines (else CSV).
    var isJSON: Bool { json }
    private var maxIndex = -1
    /// This record's fields by file column: start, end, and whether doubled quotes need undoing.
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var escaped: [Bool] = []
    private var fieldCount = 0
    /// This record's used columns: where each value lies (-1: absent or null), and whether in
    /// `side` (unescaped quoted fields, JSON values) rather than the read buffer.
    private var colStart: [Int]
    private var colEnd: [Int]
    private var colSide: [Bool]
    private var side: [UInt8] = []

    /// A record longer than this is refused (an unclosed quote would otherwise read the whole
    /// file into one record).
    let maxRecordBytes: Int

    init(path: String, columns: [String], maxRecordBytes: Int = 64 << 20) throws {
        self.maxRecordBytes = maxRecordBytes
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StewardError.invalidArgument(field: "input", message: "input: cannot read '\(path)'")
        }
        self.handle = handle
        self.columns = columns
        json = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
        colStart = Array(repeating: -1, count: columns.count)
        colEnd = Array(repeating: -1, count: columns.count)
        colSide = Array(repeating: false, count: columns.count)
        seen = Array(repeating: false, count: columns.count)
        if !json {
            guard try nextRecord() else { return }
            var header: [String] = []
            for i in 0..<fieldCount {
                var name = String(decoding: rawField(i), as: UTF8.self)
                if i == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
                header.append(name.trimmingCharacters(in: .whitespaces))
            }
            self.header = header
            index = columns.map { header.firstIndex(of: $0) }
            maxIndex = index.compactMap { $0 }.max() ?? -1
        }
    }

    // MARK: reading

    /// Refills the buffer keeping bytes from `keep` on; `false` at the end of the file.
    private mutating func refill(keeping keep: Int) -> Bool {
        guard !finished else { return false }
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty {
            finished = true
            return false
        }
        if keep < buffer.count {
            buffer.removeSubrange(0..<keep)
        } else {
            buffer.removeAll(keepingCapacity: true)
        }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Splits the next CSV record (a quoted field may hold separators and line breaks) into
    /// field ranges; skips blank lines. `false` at the end of the file.
    private mutating func nextRecord() throws -> Bool {
        while true {
            var start = position
            var i = start
            var fields = 0
            var fieldStart = start
            var quoted = false
            var escapedField = false
            var sawQuote = false
            func add(_ end: Int) {
                var s = fieldStart
                var e = end
                if sawQuote, e - s >= 2, buffer[s] == UInt8(ascii: "\""), buffer[e - 1] == UInt8(ascii: "\"") {
                    s += 1
                    e -= 1
                }
                if fields == starts.count {
                    starts.append(s)
                    ends.append(e)
                    escaped.append(escapedField)
                } else {
                    starts[fields] = s
                    ends[fields] = e
                    escaped[fields] = escapedField
                }
                fields += 1
            }
            // Reads more, keeping this record; every index shifts by what was dropped.
            func more() throws -> Bool {
                let offset = start
                guard refill(keeping: offset) else { return false }
                try checkLength(buffer.count)
                i -= offset
                fieldStart -= offset
                for k in 0..<fields {
                    starts[k] -= offset
                    ends[k] -= offset
                }
                start = 0
                return true
            }
            scan: while true {
                if i >= buffer.count {
                    if try more() { continue }
                    // End of file: the last record may lack its line break.
                    if i == start { position = i; return false }
                    add(i)
                    position = i
                    break scan
                }
                let b = buffer[i]
                if quoted {
                    if b == UInt8(ascii: "\"") {
                        // A quote at the end of the buffer: is it doubled?
                        if i + 1 >= buffer.count, !finished, try more() { continue }
                        if i + 1 < buffer.count, buffer[i + 1] == UInt8(ascii: "\"") {
                            escapedField = true
                            i += 2
                            continue
                        }
                        quoted = false
                    }
                    i += 1
                    continue
                }
                switch b {
                case UInt8(ascii: "\""):
                    quoted = true
                    sawQuote = true
                case UInt8(ascii: ","):
                    add(i)
                    fieldStart = i + 1
                    escapedField = false
                    sawQuote = false
                case UInt8(ascii: "\n"):
                    var end = i
                    if end > fieldStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    add(end)
                    position = i + 1
                    break scan
                default: break
                }
                i += 1
            }
            fieldCount = fields
            // A blank line is no record.
            if fields == 1, ends[0] - starts[0] == 0 || buffer[starts[0]..<ends[0]].allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                if finished, position >= buffer.count { return false }
                continue
            }
            return true
        }
    }

    /// Refuses a record still unfinished after `maxRecordBytes` (plus one read).
    private func checkLength(_ pending: Int) throws {
        guard pending > maxRecordBytes + (1 << 20) else { return }
        throw StewardError.invalidArgument(
            field: "input", message: "input: a record is longer than \(maxRecordBytes >> 20) MiB (\(json ? "a line without its line break" : "an unclosed quote?"))")
    }

    private func rawField(_ i: Int) -> ArraySlice<UInt8> { buffer[starts[i]..<ends[i]] }

    /// Moves to the next record; `false` at the end.
    mutating func next() throws -> Bool {
        side.removeAll(keepingCapacity: true)
        if json { return try nextJSON() }
        guard try nextRecord() else { return false }
        for (c, file) in index.enumerated() {
            colSide[c] = false
            guard let file, file < fieldCount, ends[file] > starts[file] else {
                colStart[c] = -1
                continue
            }
            guard escaped[file] else {
                colStart[c] = starts[file]
                colEnd[c] = ends[file]
                continue
            }
            // "a""b" -> a"b
            colStart[c] = side.count
            var k = starts[file]
            while k < ends[file] {
                side.append(buffer[k])
                k += buffer[k] == UInt8(ascii: "\"") ? 2 : 1
            }
            colEnd[c] = side.count
            colSide[c] = true
        }
        return true
    }

    private mutating func nextJSON() throws -> Bool {
        while true {
            var end = position
            while true {
                if end >= buffer.count {
                    let offset = position
                    if refill(keeping: offset) {
                        try checkLength(buffer.count)
                        end -= offset
                        position = 0
                        continue
                    }
                    break
                }
                if buffer[end] == UInt8(ascii: "\n") { break }
                end += 1
            }
            if position >= buffer.count, end <= position { return false }
            let line = String(decoding: buffer[position..<min(end, buffer.count)], as: UTF8.self)
            position = min(end + 1, buffer.count)
            if line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                if finished, position >= buffer.count { return false }
                continue
            }
            guard case .object(let o)? = JSONValue(parsing: line) else {
                throw StewardError.invalidArgument(field: "input", message: "input: a line is not a JSON object: \(line.prefix(80))")
            }
            for (c, name) in columns.enumerated() {
                if !seen[c], o[name] != nil { seen[c] = true }
                let text: String? =
                    switch o[name] {
                    case nil, .null?: nil
                    case .string(let s)?: s
                    case let v?: v.description
                    }
                colSide[c] = true
                guard let text else {
                    colStart[c] = -1
                    continue
                }
                colStart[c] = side.count
                side.append(contentsOf: text.utf8)
                colEnd[c] = side.count
            }
            return true
        }
    }

    // MARK: fields

    /// Calls `body` with a view of this record (valid only inside `body`).
    func withRecord<T>(_ body: (BatchRecord) throws -> T) rethrows -> T {
        try buffer.withUnsafeBufferPointer { main in
            try side.withUnsafeBufferPointer { side in
                try colStart.withUnsafeBufferPointer { start in
                    try colEnd.withUnsafeBufferPointer { end in
                        try colSide.withUnsafeBufferPointer { inSide in
                            try body(BatchRecord(main: main, side: side, start: start, end: end, inSide: inSide, json: json))
                        }
                    }
                }
            }
        }
    }
}

/// One record's used columns over unsafe views of the scanner's buffers: no reference counting
/// in the checks' hot loop.
struct BatchRecord {
    let main: UnsafeBufferPointer<UInt8>
    let side: UnsafeBufferPointer<UInt8>
    let start: UnsafeBufferPointer<Int>
    let end: UnsafeBufferPointer<Int>
    let inSide: UnsafeBufferPointer<Bool>
    let json: Bool

    /// Used column `c`'s bytes, or `nil` when absent or null (an empty CSV field, JSON `null`).
    func field(_ c: Int) -> UnsafeBufferPointer<UInt8>? {
        let s = start[c]
        guard s >= 0 else { return nil }
        let e = end[c]
        if inSide[c] {
            // An empty JSON string is a value; an empty CSV field never gets here.
            return UnsafeBufferPointer(rebasing: side[s..<e])
        }
        return UnsafeBufferPointer(rebasing: main[s..<e])
    }

    /// Used column `c` as text (for examples and regular expressions), or `nil`.
    func text(_ c: Int) -> String? {
        field(c).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Fast conversions of field bytes.
enum FieldBytes {
    /// A number as `Double(String)` reads one (no surrounding spaces); `nil` when the bytes are
    /// not a number. Plain decimals of at most 15 digits are computed exactly (an integer over a
    /// power of ten, one correctly rounded division); anything else goes through `Double(String)`.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = bytes.count
        func slow() -> Double? { Double(String(decoding: bytes, as: UTF8.self)) }
        guard n > 0, n <= 64 else { return n == 0 ? nil : slow() }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = 0
        var dot = false
        while i < n {
            let b = bytes[i]
            if b >= 48, b <= 57 {
                guard digits < 15 else { return slow() }
                mantissa = mantissa * 10 + Int64(b - 48)
                digits += 1
                if dot { fraction += 1 }
            } else if b == UInt8(ascii: "."), !dot {
                dot = true
            } else {
                return slow()
            }
            i += 1
        }
        guard digits > 0 else { return slow() }
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A whole number as `Int64(String)` reads one.
    static func int64(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
            guard bytes.count > 1 else { return nil }
        }
        var value: Int64 = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b >= 48, b <= 57 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(b - 48)) : m.addingReportingOverflow(Int64(b - 48))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        return value
    }

    /// A 64-bit hash of the bytes (per process, as `Hasher` is).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h = Hasher()
        h.combine(bytes: UnsafeRawBufferPointer(bytes))
        return h.finalize()
    }

    /// Byte order, which for UTF-8 is the order of Unicode scalars.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmp(pa, pb, n)
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

/// Counts values by a 63-bit hash up to "seen twice": an open-addressing table of the hashes
/// shifted left, the low bit set once a value repeats (0 marks an empty slot).
struct HashCounter {
    private(set) var slots = [UInt64](repeating: 0, count: 1 << 10)
    private(set) var used = 0

    /// The canonical 63-bit form of a hash (never 0).
    static func canonical(_ hash: Int) -> UInt64 { Swift.max((UInt64(bitPattern: Int64(hash)) << 1) >> 1, 1) }

    /// Whether one more value would make the table grow.
    var full: Bool { used * 4 >= slots.count * 3 }

    /// Records one occurrence of `h` (canonical); answers how often it was seen before: 0, 1, or
    /// 2 for twice or more.
    mutating func add(_ h: UInt64) -> Int {
        let key = h << 1
        if full { grow() }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 {
                slots[i] = key
                used += 1
                return 0
            }
            if slot & ~1 == key {
                if slot & 1 == 1 { return 2 }
                slots[i] = slot | 1
                return 1
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot != 0 {
            var i = Int(truncatingIfNeeded: slot >> 1) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

/// Finds the repeated values of one field in bounded memory. Up to `maxSlots` hashes are counted
/// in a table; past that, the table and every later occurrence go to 64 temporary files by hash
/// (16 bytes each: the hash and the record), which `finish` sorts one at a time.
struct UniqueCounter {
    private var table = HashCounter()
    private let maxSlots: Int
    private var spill: Spill? = nil

    init(maxSlots: Int = 1 << 20) { self.maxSlots = maxSlots }

    /// One occurrence in `record` (1-based); `true` when it is the value's second, found now.
    /// Once spilled, repeats are found by `finish`.
    mutating func add(_ hash: Int, record: Int) throws -> Bool {
        let h = HashCounter.canonical(hash)
        if let spill {
            try spill.write(h, UInt64(record) + 2)
            return false
        }
        if table.full, table.slots.count * 2 > maxSlots {
            let spill = try Spill()
            // What the table knew: seen twice (already counted) sorts first as 0, seen once as 1;
            // occurrences from now on carry their record + 2.
            for slot in table.slots where slot != 0 { try spill.write(slot >> 1, slot & 1 == 1 ? 0 : 1) }
            table = HashCounter()
            self.spill = spill
            try spill.write(h, UInt64(record) + 2)
            return false
        }
        return table.add(h) == 1
    }

    /// The records where a spilled value occurred for the second time (one per repeated value
    /// not reported by `add`), in record order.
    mutating func finish() throws -> [Int] {
        guard let spill else { return [] }
        defer { self.spill = nil }
        return try spill.duplicates()
    }

    /// The partition files; removed when done.
    final class Spill {
        static let partitions = 64
        let directory: URL
        var handles: [FileHandle] = []
        var buffers: [[UInt64]]

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("steward-unique-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            buffers = Array(repeating: [], count: Self.partitions)
            for p in 0..<Self.partitions {
                let path = directory.appendingPathComponent("\(p)").path
                guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forUpdatingAtPath: path) else {
                    throw StewardError.invalidArgument(field: "unique", message: "unique: cannot write the temporary file \(path)")
                }
                handles.append(h)
                buffers[p].reserveCapacity(4096)
            }
        }

        deinit {
            for h in handles { try? h.close() }
            try? FileManager.default.removeItem(at: directory)
        }

        func write(_ h: UInt64, _ rec: UInt64) throws {
            let p = Int(truncatingIfNeeded: h >> 57) & (Self.partitions - 1)
            buffers[p].append(h)
            buffers[p].append(rec)
            if buffers[p].count >= 4096 { try flush(p) }
        }

        func flush(_ p: Int) throws {
            guard !buffers[p].isEmpty else { return }
            try buffers[p].withUnsafeBytes { try handles[p].write(contentsOf: Data($0)) }
            buffers[p].removeAll(keepingCapacity: true)
        }

        func duplicates() throws -> [Int] {
            var out: [Int] = []
            for p in 0..<Self.partitions {
                try flush(p)
                try handles[p].seek(toOffset: 0)
                let data = try handles[p].readToEnd() ?? Data()
                var pairs = [(UInt64, UInt64)]()
                pairs.reserveCapacity(data.count / 16)
                data.withUnsafeBytes { raw in
                    let words = raw.bindMemory(to: UInt64.self)
                    var i = 0
                    while i + 1 < words.count {
                        pairs.append((words[i], words[i + 1]))
                        i += 2
                    }
                }
                try handles[p].truncate(atOffset: 0)
                pairs.sort { $0 < $1 }
                var i = 0
                while i < pairs.count {
                    var j = i + 1
                    while j < pairs.count, pairs[j].0 == pairs[i].0 { j += 1 }
                    // 0: counted while in memory; else the second occurrence, if any, is new.
                    if pairs[i].1 != 0, j - i >= 2 { out.append(Int(pairs[i + 1].1) - 2) }
                    i = j
                }
            }
            return out.sorted()
        }
    }
}
