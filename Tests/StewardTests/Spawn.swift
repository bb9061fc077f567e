import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`. Foundation's `Process.run()` on Linux (Swift 6.3.1)
/// now and then crashes the test process: it copies each `/proc/self/fd` entry's whole 256-byte
/// name and reads past glibc's buffer (swift-corelibs-foundation #5472), which took down a full
/// run in the parallel phase three times. The `steward` runs of the CLI tests, the most frequent
/// spawns, go through this instead.
final class Spawned: Sendable {
    let pid: pid_t
    private let exit = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments` (in `directory` when given), its standard output and error
    /// written to the files at `stdout` and `stderr` (appended to with `append`), standard input
    /// from /dev/null, no other descriptor, this process's environment unless `environment`.
    init(
        _ path: String, _ arguments: [String], directory: String? = nil, stdout: String, stderr: String, append: Bool = false,
        environment: [String: String]? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let mode = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, mode, 0o644)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, mode, 0o644)
        }
        // glibc's `_np` actions (2.29, 2.34), which Swift does not import: the child's directory,
        // and every descriptor past the three closed in the child.
        typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let chdir = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np"),
            let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { throw POSIXError(.ENOSYS) }
        if let directory { _ = directory.withCString { unsafeBitCast(chdir, to: ChangeDirectory.self)(&actions, $0) } }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for p in envp ?? [] { free(p) } }
        var pid: pid_t = 0
        let rc = envp.map { posix_spawn(&pid, path, &actions, nil, argv, $0) } ?? posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        self.pid = pid
    }

    /// Reaps the child if it ended: its exit code, or the signal that ended it (as
    /// `Process.terminationStatus` gives them); nil while it runs.
    var status: Int32? {
        exit.withLock { known in
            if let known { return known }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            known = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
            return known
        }
    }

    func signal(_ number: Int32) { _ = kill(pid, number) }
}

/// What the tests ask of a child process, started by Foundation or by ``Spawned``.
protocol ChildProcess: AnyObject, Sendable {
    var isRunning: Bool { get }
    var processIdentifier: Int32 { get }
    /// The exit code (or ending signal); only read once it stopped.
    var terminationStatus: Int32 { get }
    func terminate()
}

extension Process: ChildProcess {}

extension Spawned: ChildProcess {
    var isRunning: Bool { status == nil }
    var processIdentifier: Int32 { pid }
    var terminationStatus: Int32 { status ?? -1 }
    func terminate() { signal(SIGTERM) }
}
