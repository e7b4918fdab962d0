#if canImport(Glibc)
import Glibc
#endif

/// Standard input and output as the commands see them.
///
/// A protocol so that tests run every command in-process and read what it printed, in the spirit of
/// swiftly's `runWithMockedIO`; ``SystemConsole`` is the real one.
public protocol Console: Sendable {
    /// Writes to standard output.
    func write(_ text: String)
    /// Writes to standard error.
    func writeError(_ text: String)
    /// One line of standard input without its line terminator, or nil at end of input.
    func readLine() -> String?
    /// Standard input to its end, at most `limit` bytes (nil when larger).
    func readAll(limit: Int) -> String?
}

/// File descriptors 0, 1 and 2, unbuffered: a token printed by `pamtoken token` is on the pipe before
/// the process exits, whatever happens next.
public struct SystemConsole: Console {
    public init() {}

    public func write(_ text: String) {
        Self.writeAll(text, to: STDOUT_FILENO)
    }

    public func writeError(_ text: String) {
        Self.writeAll(text, to: STDERR_FILENO)
    }

    public func readLine() -> String? {
        // Byte by byte, so nothing after the line is consumed from a shared pipe.
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { return bytes.isEmpty ? nil : Self.line(bytes) }
            if byte == UInt8(ascii: "\n") { return Self.line(bytes) }
            guard bytes.count < 64 * 1024 else { return nil }
            bytes.append(byte)
        }
    }

    public func readAll(limit: Int) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer.prefix(count))
            guard bytes.count <= limit else { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Drops a trailing carriage return, for input written on systems that end lines with CR LF.
    private static func line(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }

    static func writeAll(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }  // a closed pipe: nothing more can be said
            offset += count
        }
    }
}
