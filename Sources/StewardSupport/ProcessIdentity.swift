import Foundation

/// Who this process is, to a store: the owner of its leases (jobs, the scheduler's and the
/// maintenance's singleton leases).
public enum ProcessIdentity {
    /// `host:pid:random`, unique across processes and restarts.
    public static func owner() -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host):\(pid):\(random)"
    }

    /// This host's name, read once (it may take a name lookup).
    public static let host = ProcessInfo.processInfo.hostName

    /// This process's id.
    public static var pid: Int { Int(ProcessInfo.processInfo.processIdentifier) }
}
