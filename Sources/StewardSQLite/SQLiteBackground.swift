import Foundation
import GRDB
import Steward
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Background duties of one SQLite store, on a thread and a connection of their own:
/// - **WAL checkpoints off the commit path.** The store's connections run with
///   `wal_autocheckpoint = 0`; otherwise the commit that crosses the threshold copies the WAL
///   into the database and fsyncs it, adding milliseconds to whichever claim or enqueue it
///   happens to be (latency p99 went from 9 ms to 1.3 ms when this moved here). A checkpoint
///   follows every write within `checkpointInterval`, which also bounds the power-loss window
///   of `synchronous=NORMAL` by time.
/// - **A bounded WAL.** A passive checkpoint cannot reset the WAL while readers hold older
///   snapshots, so under steady load it only grows. Once it passes `walLimit` the checkpoint is a
///   `RESTART` (it waits, up to the busy timeout, for those readers and lets the next writer start
///   from the file's beginning), and `journal_size_limit` truncates the file back to the limit.
/// - **Cross-process wake-ups and finished-job events**, once someone listens: another process's
///   commits change `PRAGMA data_version` as the store's writer connection sees it (no disk I/O:
///   it lives in the shared WAL index); this process's own commits do not.
///
/// On Linux the thread sleeps in `poll` on an inotify watch of the WAL: a commit by any process
/// wakes it at once, and a store with nothing to do costs no CPU at all. Elsewhere it polls
/// `data_version` every `pollInterval` while someone listens and checkpoints every
/// `checkpointInterval`.
final class SQLiteBackground: Sendable {
    /// What the thread and the store share.
    private final class Shared: Sendable {
        let watching = Atomic<Bool>(false)
        let finished = WakeSignal()
        /// Written to wake the thread: `w` (re-read the settings), `q` (stop).
        let control: (read: Int32, write: Int32)

        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw StewardError.storeUnavailable("sqlite: cannot create a pipe: \(String(cString: strerror(errno)))") }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            control = (fds[0], fds[1])
        }

        func send(_ byte: UInt8) {
            var b = byte
            _ = write(control.write, &b, 1)
        }
    }

    private let shared: Shared
    private let stopped = Atomic<Bool>(false)

    /// The WAL size past which a checkpoint runs at once and restarts it (and the file is
    /// truncated back to).
    static let defaultWALLimit: Int64 = 16 << 20

    init(
        path: String, hubs: [WakeupHub], readOnly: Bool = false, checkpointInterval: Duration = .milliseconds(500),
        pollInterval: Duration = .milliseconds(25), walLimit: Int64 = SQLiteBackground.defaultWALLimit,
        othersVersion: (@Sendable () -> Int?)?
    ) throws {
        let shared = try Shared()
        self.shared = shared
        let thread = Thread {
            Self.loop(
                path: path, hubs: hubs, readOnly: readOnly, shared: shared, checkpointInterval: checkpointInterval,
                pollInterval: pollInterval, walLimit: walLimit, othersVersion: othersVersion)
            close(shared.control.read)
            shared.finished.notify()
        }
        thread.name = "steward.sqlite.background"
        thread.start()
    }

    /// Starts announcing other processes' commits.
    func startWatching() {
        if !shared.watching.exchange(true, ordering: .relaxed) { shared.send(UInt8(ascii: "w")) }
    }

    /// Stops the thread and waits until its connection is closed.
    func stop() async {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shared.send(UInt8(ascii: "q"))
        await shared.finished.wait()
    }

    deinit {
        if !stopped.load(ordering: .relaxed) { shared.send(UInt8(ascii: "q")) }
        // The read end is the thread's; with the write end closed a thread still polling sees
        // the pipe hang up and stops.
        close(shared.control.write)
    }

    // MARK: the thread

    private static func loop(
        path: String, hubs: [WakeupHub], readOnly: Bool, shared: Shared, checkpointInterval: Duration, pollInterval: Duration,
        walLimit: Int64, othersVersion: (@Sendable () -> Int?)?
    ) {
        var config = Configuration()
        config.busyMode = .timeout(5)
        // A read-only store only watches: it never checkpoints (that writes the database).
        config.readonly = readOnly
        if !readOnly {
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                try db.execute(sql: "PRAGMA journal_size_limit = \(walLimit)")
            }
        }
        guard let conn = try? DatabaseQueue(path: path, configuration: config) else { return }
        // Closed here, not whenever the thread's memory goes: `stop()` waits for this, so a store's
        // `close()` returns with every connection closed (the last one to close checkpoints and
        // removes the WAL).
        defer { try? conn.close() }
        let walPath = path + "-wal"
        let notifier = WALNotifier(walPath: walPath)
        var lastVersion: Int? = nil
        // Set while writes wait for a checkpoint (unknown at start: assume some).
        var checkpointAt: ContinuousClock.Instant? = readOnly ? nil : .now + checkpointInterval
        // How long to let writes gather after a wake-up: 1 ms, doubling to `pollInterval` while
        // the writes are only this process's own (a busy worker's commits), back to 1 ms when
        // another process's commit is seen or the WAL was quiet.
        var gather = Duration.milliseconds(1)
        var lastWrite = ContinuousClock.now
        while true {
            let watching = shared.watching.load(ordering: .relaxed)
            var timeout: Duration? = nil
            if notifier == nil {
                // No notifications: poll while someone listens, and checkpoint on a timer.
                timeout = watching ? pollInterval : (readOnly ? nil : checkpointInterval)
                if !readOnly, checkpointAt == nil { checkpointAt = .now + checkpointInterval }
            }
            if let at = checkpointAt {
                let left = max(.zero, at - .now)
                timeout = timeout.map { min($0, left) } ?? left
            }
            var fds = [pollfd(fd: shared.control.read, events: Int16(POLLIN), revents: 0)]
            if let notifier { fds.append(pollfd(fd: notifier.fd, events: Int16(POLLIN), revents: 0)) }
            let ms = timeout.map { Int32(min(Double(Int32.max), ($0.seconds * 1000).rounded(.up))) } ?? -1
            let ready = poll(&fds, nfds_t(fds.count), ms)
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                let n = read(shared.control.read, &buffer, buffer.count)
                if n > 0 && buffer[0..<n].contains(UInt8(ascii: "q")) { return }
            }
            if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 { return }
            var written = false
            if let notifier, fds.count > 1, fds[1].revents & Int16(POLLIN) != 0, notifier.drain() {
                written = true
                if !readOnly, checkpointAt == nil { checkpointAt = .now + checkpointInterval }
            }
            var foreign = false
            if shared.watching.load(ordering: .relaxed) {
                // Read on the store's own writer: its `data_version` moves only for commits of
                // other processes, so this process's own writes (announced in-process already)
                // wake nobody twice.
                let version = othersVersion.map { $0() } ?? (try? conn.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") })
                // The first reading is a baseline that may already include a commit made after
                // the subscriber started listening: wake it once to be safe.
                if let version, version != lastVersion {
                    for hub in hubs where hub.hasSubscribers { hub.emit([WakeupHub.anyQueue]) }
                    foreign = true
                }
                lastVersion = version ?? lastVersion
            }
            // Past the limit (a steady stream of writes), at once rather than on the timer.
            if written, !readOnly, walSize(walPath) > walLimit { checkpointAt = .now }
            if let at = checkpointAt, ContinuousClock.now >= at {
                checkpoint(conn, walPath: walPath, walLimit: walLimit)
                checkpointAt = nil
            }
            if written {
                let now = ContinuousClock.now
                gather = foreign || now - lastWrite > pollInterval ? .milliseconds(1) : min(gather * 2, pollInterval)
                lastWrite = now
                usleep(UInt32(gather.seconds * 1_000_000))
            }
        }
    }

    /// PASSIVE never blocks writers or readers (a busy one is retried after the next write); past
    /// the WAL limit, RESTART so the file stops growing.
    private static func checkpoint(_ conn: DatabaseQueue, walPath: String, walLimit: Int64) {
        let mode = walSize(walPath) > walLimit ? "RESTART" : "PASSIVE"
        try? conn.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(\(mode))") }
    }

    private static func walSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}

/// Tells the background thread that some process wrote the WAL (Linux inotify on the WAL's
/// folder, filtered to its name: the WAL may not exist yet, and is recreated after a close).
private struct WALNotifier {
    let fd: Int32
    let name: String

    init?(walPath: String) {
        #if os(Linux)
        let url = URL(fileURLWithPath: walPath)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let folder = url.deletingLastPathComponent().path
        guard inotify_add_watch(fd, folder, UInt32(IN_MODIFY | IN_CREATE)) >= 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        name = url.lastPathComponent
        #else
        return nil
        #endif
    }

    /// Reads what is pending; whether any of it was about the WAL.
    func drain() -> Bool {
        #if os(Linux)
        var hit = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let length = buffer.withUnsafeBytes { raw in
                    Int(raw.loadUnaligned(fromByteOffset: offset + MemoryLayout<inotify_event>.offset(of: \.len)!, as: UInt32.self))
                }
                if length > 0 {
                    let bytes = buffer[(offset + header)..<min(n, offset + header + length)]
                    let eventName = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                    if eventName == name { hit = true }
                }
                offset += header + length
            }
        }
        return hit
        #else
        return false
        #endif
    }
}
