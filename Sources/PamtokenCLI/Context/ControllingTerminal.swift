#if canImport(Glibc)
import Glibc
#endif

/// The process's controlling terminal (`/dev/tty`), asked for a password the way `getpass(3)` did,
/// which glibc deprecates: echo off with termios, the line read, echo restored.
///
/// Echo must come back on every exit path. Normal returns and errors restore it in a `defer`; a signal
/// that would end the process while echo is off (Ctrl-C, a hang-up, `kill`) is caught by a handler that
/// restores the saved settings and exits with 128 + the signal, as a shell reports it.
public struct ControllingTerminal: Terminal {
    public init() {}

    public var isInteractive: Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    public func readSecret(prompt: String) throws(CLIError) -> String {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw .refused("no terminal to ask for the password on; use --password-stdin") }
        defer { close(fd) }
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { throw .refused("cannot read the terminal's settings; use --password-stdin") }

        TerminalRestorer.arm(fd: fd, settings: original)
        defer { TerminalRestorer.disarm() }
        var quiet = original
        quiet.c_lflag &= ~tcflag_t(ECHO | ECHONL)
        quiet.c_lflag |= tcflag_t(ICANON)
        // TCSAFLUSH: anything typed before the prompt appeared is discarded, never taken as the password.
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { throw .refused("cannot turn off the terminal's echo; use --password-stdin") }
        SystemConsole.writeAll(prompt, to: fd)
        let line = Self.readLine(fd)
        SystemConsole.writeAll("\n", to: fd)  // the newline the user typed was not echoed
        guard let line else { throw .refused("no password given") }
        return line
    }

    public func readLine(prompt: String) throws(CLIError) -> String {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw .refused("no terminal to ask on; use --password-stdin") }
        defer { close(fd) }
        SystemConsole.writeAll(prompt, to: fd)
        guard let line = Self.readLine(fd) else { throw .refused("no answer given") }
        return line
    }

    public func show(_ message: String) {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        SystemConsole.writeAll(message.hasSuffix("\n") ? message : message + "\n", to: fd)
    }

    /// Reads up to a newline or the end of input (Ctrl-D on an empty line: nil).
    private static func readLine(_ fd: Int32) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 4096 {
            let count = read(fd, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The saved terminal settings and the signal handlers that put them back.
///
/// Process-global by nature: a signal handler can only reach globals. Written only while no handler
/// is installed (before `arm` installs them, after `disarm` removes them); read only by the handler.
enum TerminalRestorer {
    nonisolated(unsafe) private static var fd: Int32 = -1
    nonisolated(unsafe) private static var settings = termios()
    nonisolated(unsafe) private static var previous: [Int32: sigaction] = [:]
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static func arm(fd: Int32, settings: termios) {
        Self.fd = fd
        Self.settings = settings
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in
                if TerminalRestorer.fd >= 0 {
                    _ = tcsetattr(TerminalRestorer.fd, TCSAFLUSH, &TerminalRestorer.settings)
                    var newline = UInt8(ascii: "\n")
                    _ = Glibc.write(TerminalRestorer.fd, &newline, 1)
                }
                _exit(128 + received)
            }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(signal, &action, &old)
            previous[signal] = old
        }
    }

    static func disarm() {
        if fd >= 0 {
            _ = tcsetattr(fd, TCSAFLUSH, &settings)
        }
        for signal in signals {
            guard var old = previous[signal] else { continue }
            sigaction(signal, &old, nil)
        }
        previous = [:]
        fd = -1
    }
}
