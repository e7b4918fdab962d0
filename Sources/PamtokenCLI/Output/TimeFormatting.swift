public import Foundation

/// Times as people and tools read them.
public enum TimeFormatting {
    /// RFC 3339 in UTC (`2025-06-01T12:00:00Z`), the form kubectl's ExecCredential and JSON output use.
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Local time to the second (`2025-06-01 14:00:00`), for tables and `status`.
    public static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    public static func local(unixSeconds: Int64) -> String {
        local(Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
    }

    /// `in 4 min 50 s`, `2 h 5 min ago`: the two largest units are enough to judge an expiry.
    public static func relative(_ seconds: Int64) -> String {
        let magnitude = seconds.magnitude
        let units: [(UInt64, String)] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")]
        var parts: [String] = []
        var rest = magnitude
        for (size, name) in units where rest >= size || (parts.isEmpty && size == 1) {
            parts.append("\(rest / size) \(name)")
            rest %= size
            if parts.count == 2 { break }
        }
        let text = parts.joined(separator: " ")
        return seconds >= 0 ? "in \(text)" : "\(text) ago"
    }
}
