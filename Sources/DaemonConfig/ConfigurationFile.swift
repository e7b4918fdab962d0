import TOMLKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading `pamtoken.toml`: the bytes from disk, then TOML into raw settings.
///
/// Read with POSIX calls rather than Foundation so that "missing" (`ENOENT`, fine for the default
/// file) is told apart from every other failure, and a FIFO or a device cannot hang or flood the daemon.
enum ConfigurationFile {
    /// A configuration file is a few kilobytes; anything this big is not one.
    static let maximumSize = 1 << 20

    /// The file's text, or `nil` when it does not exist.
    static func contents(of path: String) throws(ConfigurationError) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw unreadable(path, "cannot open: \(describe(code))")
        }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(path, describe(errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw unreadable(path, "not a regular file") }

        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path, "cannot read: \(describe(errno))")
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            guard bytes.count <= maximumSize else { throw unreadable(path, "larger than \(maximumSize) bytes") }
        }
        return try text(bytes, path: path)
    }

    /// The file's bytes as text: at most ``maximumSize`` bytes of UTF-8 without NUL (which would cut
    /// the text short in TOMLKit's C++ parser) and without the other control characters TOML 1.0
    /// forbids everywhere, even in strings and comments (all of U+0000–U+001F but tab, LF and CR, and
    /// U+007F). Checked here because toml++ 3 trips an assertion — an abort, not an error — on some
    /// of them inside a date-time (found by `fuzz-config`; Fuzz/Regressions/fuzz-config).
    static func text(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> String {
        guard bytes.count <= maximumSize else { throw unreadable(path, "larger than \(maximumSize) bytes") }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw unreadable(path, "not UTF-8 text")
        }
        var line = 1
        var column = 1
        for byte in bytes {
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D || byte == 0x7F {
                let code = String(byte, radix: 16, uppercase: true)
                throw ConfigurationError(
                    .syntax,
                    "\(path):\(line):\(column): control character U+\(String(repeating: "0", count: 4 - code.count) + code) is not allowed in TOML")
            }
            // Columns count characters, as TOMLKit's do: UTF-8 continuation bytes do not advance them.
            if byte == 0x0A {
                (line, column) = (line + 1, 1)
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return text
    }

    /// The settings `text` makes, in documented key order (so the first error reported is stable).
    /// Every key must be known and at the top level; types are checked later, against each key.
    static func settings(fromTOML text: String, path: String) throws(ConfigurationError) -> [(ConfigurationKey, RawSetting)] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw ConfigurationError(.syntax, "\(path):\(position.line):\(position.column): \(error.description)")
        } catch {
            throw ConfigurationError(.syntax, "\(path): \(error)")
        }
        var settings: [(ConfigurationKey, RawSetting)] = []
        for name in table.keys {
            guard let value = table[name] else { continue }
            guard let key = ConfigurationKey(rawValue: name) else { throw unknownKey(name, value: value, path: path) }
            settings.append((key, rawSetting(value)))
        }
        let order = Dictionary(uniqueKeysWithValues: ConfigurationKey.allCases.enumerated().map { ($1, $0) })
        return settings.sorted { order[$0.0, default: 0] < order[$1.0, default: 0] }
    }

    private static func rawSetting(_ value: any TOMLValueConvertible) -> RawSetting {
        switch value.type {
        case .int: if let integer = value.int { return .integer(integer) }
        case .bool: if let boolean = value.bool { return .boolean(boolean) }
        case .string: if let string = value.string { return .text(string) }
        case .array:
            guard let array = value.array else { break }
            if !array.isEmpty, array.allSatisfy({ $0.type == .table }) {
                return .tables(
                    array.compactMap(\.table).map { table in
                        Dictionary(
                            table.keys.compactMap { name in table[name].map { (name, rawSetting($0)) } }, uniquingKeysWith: { first, _ in first })
                    })
            }
            var strings: [String] = []
            for element in array {
                guard let string = element.string else { return .other("an array containing \(typeName(element.type))") }
                strings.append(string)
            }
            return .texts(strings)
        default: break
        }
        return .other(typeName(value.type))
    }

    private static func typeName(_ type: TOMLType) -> String {
        switch type {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .int: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }

    private static func unknownKey(_ name: String, value: any TOMLValueConvertible, path: String) -> ConfigurationError {
        let hint = KeySuggestion.closest(to: name).map { " (did you mean '\($0)'?)" } ?? ""
        if value.type == .table {
            return ConfigurationError(.unknownKey, key: name, "\(path): unknown table [\(name)]\(hint); every key is at the top level")
        }
        return ConfigurationError(.unknownKey, key: name, "\(path): unknown key \(quoted(name))\(hint)")
    }

    private static func unreadable(_ path: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(.unreadableFile, "\(path): \(reason)")
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
