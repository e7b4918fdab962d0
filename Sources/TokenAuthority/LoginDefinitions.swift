import Foundation

/// The settings of `/etc/login.defs` that decide which accounts belong to people.
///
/// Read by hand because no library parses this file: it is a list of `NAME VALUE` lines with `#`
/// comments (login.defs(5)), and only one value is needed.
public struct LoginDefinitions: Sendable, Equatable {
    /// The lowest uid of a person's account: `SYS_UID_MAX` + 1, or 1000 (Debian's and Fedora's
    /// default) when the file does not set it.
    public var firstUserUID: UInt32 = 1000

    public static func read(path: String = "/etc/login.defs") -> LoginDefinitions {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return LoginDefinitions() }
        return parse(text)
    }

    public static func parse(_ text: String) -> LoginDefinitions {
        var definitions = LoginDefinitions()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "SYS_UID_MAX", let maximum = UInt32(fields[1]), maximum < UInt32.max else { continue }
            definitions.firstUserUID = maximum + 1
        }
        return definitions
    }
}
