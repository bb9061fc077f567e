import Foundation
import StewardSupport
import Synchronization

/// A CSV (with a header) or JSON Lines file, or standard input (`-`). Undeclared columns are
/// ignored; `follow` keeps reading as the file grows until the task is cancelled.
public final class FileSource: QualitySource, @unchecked Sendable {
    /// File formats.
    public enum Format: String, Sendable { case csv, jsonl }

    public let name: String
    public let schema: SourceSchema
    let path: String
    let format: Format
    let follow: Bool
    /// Rows `{ts, fields: [...], values: [...]}` expand into columns by position (JSON Lines).
    let compact: Bool
    /// The CSV field separator (one ASCII byte; `,` by default).
    let delimiter: UInt8
    private let handle: FileHandle
    private var pending: [UInt8] = []
    /// Bytes of `pending` already handed out as lines.
    private var consumed = 0
    private var header: [Int?]? = nil  // CSV column -> schema column
    private var eof = false
    private var lineNumber = 0
    private let batchSize = 8_192

    /// Opens the file (nothing is read yet).
    public init(
        name: String, path: String, format: Format, schema: SourceSchema, follow: Bool = false, compact: Bool = false,
        delimiter: UInt8 = UInt8(ascii: ",")
    ) throws {
        guard delimiter < 128, delimiter != 34, delimiter != 10, delimiter != 13 else {
            throw QualityError.config("source '\(name)' delimiter: must be one ASCII character other than a quote or a newline")
        }
        self.delimiter = delimiter
        self.name = name
        self.path = path
        self.format = format
        self.schema = schema
        self.follow = follow
        self.compact = compact
        if path == "-" {
            handle = .standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw QualityError.source("\(name): cannot open '\(path)'")
            }
            handle = h
        }
        if format == .jsonl { header = [] }
    }

    public func nextBatch() async throws -> [QualityRow]? {
        var rows: [QualityRow] = []
        rows.reserveCapacity(batchSize)
        while rows.count < batchSize {
            guard let (line, newlines) = try await nextRecord(waitForMore: rows.isEmpty) else { break }
            lineNumber += 1
            defer { lineNumber += newlines }
            if line.isEmpty || (line.count == 1 && line[0] == 13) { continue }
            if format == .csv, header == nil {
                try readHeader(line)
                continue
            }
            if let row = format == .csv ? csvRow(line) : jsonRow(line) { rows.append(row) }
        }
        return rows.isEmpty ? nil : rows
    }

    /// The next record without its newline, and how many newlines it holds inside quoted CSV
    /// fields (RFC 4180: a quoted field may span lines), or `nil` at end of input. When following
    /// a file at its current end, waits for more only if `waitForMore` (otherwise the rows read so
    /// far go out first).
    private func nextRecord(waitForMore: Bool) async throws -> (ArraySlice<UInt8>, newlines: Int)? {
        var inner = 0
        // Where the search for the record's end resumes, and whether a quote is open there.
        var from = consumed
        var quoted = false
        while true {
            if let nl = pending[from...].firstIndex(of: 10) {
                if format == .csv, Self.containsQuote(pending, from..<nl) {
                    // Quotes toggle; only a line holding one pays for the count.
                    for byte in pending[from..<nl] where byte == 34 { quoted.toggle() }
                }
                if quoted {
                    inner += 1
                    from = nl + 1
                    continue
                }
                let line = pending[consumed..<nl]
                consumed = nl + 1
                return (line, inner)
            }
            if eof {
                if consumed < pending.count {
                    let line = pending[consumed...]
                    consumed = pending.count
                    return (line, inner)
                }
                return nil
            }
            // Drop what was handed out before reading more (lines are copied out by then).
            from -= consumed
            pending.removeSubrange(..<consumed)
            consumed = 0
            if path == "-", !waitForMore, !Self.readable(handle.fileDescriptor) {
                return nil  // a pipe with nothing more for now: hand out the rows read so far
            }
            let chunk = try await Self.readChunk(handle.fileDescriptor)
            if chunk.isEmpty {
                if follow && path != "-" {
                    guard waitForMore else { return nil }
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                eof = true
            } else {
                pending.append(contentsOf: chunk)
            }
        }
    }

    /// Whether `bytes[range]` holds a `"`: `memchr`, so lines without quotes (nearly all) cost
    /// one vectorised scan rather than a byte loop.
    private static func containsQuote(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            memchr(buffer.baseAddress! + range.lowerBound, 34, range.count) != nil
        }
    }

    /// Whether a read on `fd` would return at once (data or end of input).
    private static func readable(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    /// Up to 1 MiB, read on a dispatch thread so a pipe that waits for its producer never holds
    /// a cooperative thread; cancellation (Ctrl-C) stops waiting even while the read blocks.
    private static func readChunk(_ fd: Int32) async throws -> [UInt8] {
        let once = ResumeOnce<[UInt8]>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                once.set(continuation)
                DispatchQueue.global().async {
                    var buffer = [UInt8](repeating: 0, count: 1 << 20)
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 {
                        once.resume(.failure(QualityError.source("read failed (errno \(errno))")))
                    } else {
                        buffer.removeSubrange(n...)
                        once.resume(.success(buffer))
                    }
                }
            }
        } onCancel: {
            once.resume(.failure(CancellationError()))
        }
    }

    private func readHeader(_ line: ArraySlice<UInt8>) throws {
        var line = line
        // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first column's name.
        if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        let names = Self.splitCSV(String(decoding: line, as: UTF8.self), delimiter: delimiter).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        header = names.map { schema.index(of: $0) }
        let present = Set(names)
        for c in schema.columns where !present.contains(c.name) {
            throw QualityError.source("\(name): \(path):1: the header has no column '\(c.name)' (it has \(names.joined(separator: ", ")))")
        }
    }

    private func csvRow(_ line: ArraySlice<UInt8>) -> QualityRow? {
        var line = line
        if line.last == 13 { line = line.dropLast() }
        if line.contains(34) {
            // Quoted fields: the general (slower) path.
            let fields = Self.splitCSV(String(decoding: line, as: UTF8.self), delimiter: delimiter)
            return row(fields.count) { i, body in
                var f = fields[i]
                return f.withUTF8 { body($0) }
            }
        }
        return line.withUnsafeBufferPointer { buffer in
            var starts: [Int] = [0]
            starts.reserveCapacity(header!.count + 1)
            for (i, byte) in buffer.enumerated() where byte == delimiter { starts.append(i + 1) }
            starts.append(buffer.count + 1)
            return row(starts.count - 1) { i, body in
                let from = starts[i]
                let to = starts[i + 1] - 1
                return body(UnsafeBufferPointer(rebasing: buffer[from..<to]))
            }
        }
    }

    /// Builds a row from `count` fields; `field(i, body)` hands field i's bytes to `body`.
    private func row(
        _ count: Int,
        field: (Int, (UnsafeBufferPointer<UInt8>) -> (QualityValue, String?)) -> (QualityValue, String?)
    ) -> QualityRow {
        var values = [QualityValue](repeating: .null, count: schema.columns.count)
        var error: String? = nil
        var rawTime: Substring = ""
        for i in 0..<min(count, header!.count) {
            guard let c = header![i] else { continue }
            let column = schema.columns[c]
            let isTime = c == schema.timeIndex
            let (v, e) = field(i) { bytes in
                if isTime, schema.isoTime { rawTime = Substring(String(decoding: bytes, as: UTF8.self)) }
                return schema.convert(bytes: bytes, column: column)
            }
            values[c] = v
            if error == nil, let e { error = "\(path):\(lineNumber): \(e)" }
        }
        return makeRow(values, rawTime: rawTime, error: error)
    }

    private func makeRow(_ values: [QualityValue], rawTime: Substring, error: String?) -> QualityRow {
        var time: Double
        if case .epochSeconds = schema.timeFormat {
            time = values[schema.timeIndex].number ?? .nan
        } else {
            time = schema.parseTime(rawTime) ?? .nan
        }
        var err = error
        if time.isNaN, err == nil { err = "\(path):\(lineNumber): no valid event time in '\(schema.timeColumn)'" }
        if !time.isNaN, !QualityTime.range.contains(time) {
            if err == nil {
                err = "\(path):\(lineNumber): event time \(time) in '\(schema.timeColumn)' is outside years 1 to 9999"
            }
            time = .nan
        }
        return QualityRow(values: values, time: time, schemaError: err)
    }

    private func jsonRow(_ line: ArraySlice<UInt8>) -> QualityRow? {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else {
            let values = [QualityValue](repeating: .null, count: schema.columns.count)
            return QualityRow(values: values, time: .nan, schemaError: "\(path):\(lineNumber): not a JSON object")
        }
        var fields = object
        if compact, case .array(let names)? = object["fields"], case .array(let vals)? = object["values"] {
            fields = object.filter { $0.key != "fields" && $0.key != "values" }
            for (n, v) in zip(names, vals) { if case .string(let n) = n { fields[n] = v } }
        }
        var values = [QualityValue](repeating: .null, count: schema.columns.count)
        var error: String? = nil
        var rawTime: Substring = ""
        for (c, column) in schema.columns.enumerated() {
            let text: Substring
            switch fields[column.name] {
            case nil, .null?: text = ""
            case .string(let s)?: text = Substring(s)
            case .bool(let b)?: text = b ? "true" : "false"
            case .integer(let i)?: text = Substring(String(i))
            case .number(let n)?: text = Substring(n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n))
            case let other?: text = Substring("\(other)")
            }
            let (v, e) = schema.convert(text, column: column)
            values[c] = v
            if error == nil, let e { error = "\(path):\(lineNumber): \(e)" }
            if c == schema.timeIndex { rawTime = text }
        }
        return makeRow(values, rawTime: rawTime, error: error)
    }

    /// RFC 4180 fields: quotes around fields, doubled quotes inside, newlines inside quotes.
    static func splitCSV(_ line: String, delimiter: UInt8 = UInt8(ascii: ",")) -> [String] {
        let separator = Character(Unicode.Scalar(delimiter))
        var out: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let ch = iterator.next() {
            if quoted {
                if ch == "\"" {
                    var peek = iterator
                    if peek.next() == "\"" {
                        field.append("\"")
                        iterator = peek
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == separator {
                out.append(field)
                field = ""
            } else {
                field.append(ch)
            }
        }
        out.append(field)
        return out
    }
}

/// Resumes a continuation once, whichever of the read and the cancellation comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, early: Result<T, any Error>?)>((nil, nil))

    func set(_ c: CheckedContinuation<T, any Error>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let e = s.early { return e }
            s.continuation = c
            return nil
        }
        if let early { c.resume(with: early) }
    }

    func resume(_ result: Result<T, any Error>) {
        let c = state.withLock { s -> CheckedContinuation<T, any Error>? in
            if let c = s.continuation {
                s.continuation = nil
                s.early = result  // later calls find it already resumed
                return c
            }
            if s.early == nil { s.early = result }
            return nil
        }
        c?.resume(with: result)
    }
}
