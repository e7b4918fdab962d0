/// The password libpq would take from a password file (`PGPASSFILE`, or `~/.pgpass`): lines of
/// `hostname:port:database:username:password`, where a field may be `*`, `\` escapes `:` and `\`,
/// and `#` starts a comment line. The first line that matches wins.
///
/// Hand-written because postgres-nio reads no password file, and the format is five fields: a
/// fleet's hosts often have a `.pgpass` already, maintained for `psql` and backups.
public enum PasswordFile {
    /// The password of the first line matching `location`, or nil. The default socket directory
    /// matches the hostname `localhost`, another socket directory its path, as in libpq.
    public static func password(for location: PostgresLocation, in text: String) -> String? {
        let host = location.host ?? location.socketDirectory.map { defaultSocketDirectories.contains($0) ? "localhost" : $0 } ?? "localhost"
        let wanted = [host, String(location.port), location.database, location.user]
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            guard !line.hasPrefix("#"), let fields = fields(of: line), fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) {
                return fields[4]
            }
        }
        return nil
    }

    /// Where Debian's libpq looks for the server's socket when none is named.
    static let defaultSocketDirectories: Set<String> = ["/var/run/postgresql", "/run/postgresql"]

    /// The fields of one line, unescaped; nil for a line that ends in a lone backslash. The password,
    /// the fifth, ends at the next unescaped colon, as libpq reads it.
    static func fields(of line: Substring) -> [String]? {
        var fields: [String] = [""]
        var escaped = false
        for character in line {
            if escaped {
                fields[fields.count - 1].append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                guard fields.count < 5 else { break }
                fields.append("")
            } else {
                fields[fields.count - 1].append(character)
            }
        }
        return escaped ? nil : fields
    }
}
