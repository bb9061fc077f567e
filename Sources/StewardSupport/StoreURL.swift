import Foundation

/// Store URLs as they may be shown: in output, logs and errors.
public enum StoreURL {
    /// `url` with its password replaced by `***` (`postgres://steward:***@db/app`), also a
    /// `password=` query option; any text that does not look like a URL comes back unchanged.
    public static func redacted(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://") {
            let authorityEnd = text[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
            // The last '@' of the authority ends the user info (a password may itself hold '@' unencoded).
            if let at = text[scheme.upperBound..<authorityEnd].lastIndex(of: "@"),
                let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
            {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        if let query = text.firstIndex(of: "?") {
            let parts = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { part in
                part.lowercased().hasPrefix("password=") ? "password=***" : String(part)
            }
            text = String(text[...query]) + parts.joined(separator: "&")
        }
        return text
    }

    /// `url` with a relative `sqlite:` path made absolute against `folder` (`sqlite:data/s.db`
    /// in `/etc/steward/` is `sqlite:/etc/steward/data/s.db`); other URLs come back unchanged.
    /// Files name paths relative to themselves, so a configuration means the same store from
    /// whatever directory it is used.
    public static func resolvingSQLitePath(_ url: String, against folder: String) -> String {
        guard url.hasPrefix("sqlite:") else { return url }
        let rest = url.dropFirst("sqlite:".count)
        let path = rest.prefix { $0 != "?" }
        guard !path.isEmpty, !path.hasPrefix("/"), path != ":memory:" else { return url }
        let absolute = URL(fileURLWithPath: String(path), relativeTo: URL(fileURLWithPath: folder, isDirectory: true))
            .standardizedFileURL.path
        return "sqlite:" + absolute + rest.dropFirst(path.count)
    }
}
