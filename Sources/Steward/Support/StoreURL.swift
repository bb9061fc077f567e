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
}
