public import TokenCore

#if canImport(Glibc)
import Glibc
#endif

/// Everything a command takes from the outside world: standard I/O, the terminal, the environment,
/// the invoking user and the time. Commands never reach for globals, so tests run them in-process with
/// a captured console, a scripted terminal and a temporary runtime directory.
public struct CLIContext: Sendable {
    public var console: any Console
    public var terminal: any Terminal
    public var environment: [String: String]
    /// The invoking user's name (`getpwuid(getuid())`), the default for `login --user`.
    public var userName: String?
    /// The invoking user's home directory, for `~/.cache/pamtoken` when `XDG_RUNTIME_DIR` is unset.
    public var homeDirectory: String?
    public var clock: any WallClock
    /// Makes the client for a daemon address: HTTP over the socket or TCP, or a test's scripted daemon.
    public var daemon: @Sendable (DaemonAddress) -> any DaemonService

    public init(
        console: any Console, terminal: any Terminal, environment: [String: String], userName: String?, homeDirectory: String?,
        clock: any WallClock = SystemClock(), daemon: @escaping @Sendable (DaemonAddress) -> any DaemonService = CLIContext.httpDaemon
    ) {
        self.console = console
        self.terminal = terminal
        self.environment = environment
        self.userName = userName
        self.homeDirectory = homeDirectory
        self.clock = clock
        self.daemon = daemon
    }

    /// The real client: HTTP to the daemon's socket or loopback listener.
    public static let httpDaemon: @Sendable (DaemonAddress) -> any DaemonService = { DaemonAPI($0) }

    /// The real process: file descriptors 0–2, `/dev/tty`, the process environment, the real user.
    public static func system(environment: [String: String]) -> CLIContext {
        var name: String?
        var home: String?
        if let entry = getpwuid(getuid()) {
            name = entry.pointee.pw_name.map { String(cString: $0) }
            home = entry.pointee.pw_dir.map { String(cString: $0) }
        }
        return CLIContext(
            console: SystemConsole(), terminal: ControllingTerminal(), environment: environment, userName: name,
            homeDirectory: environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home)
    }

    /// Prints one line on standard output.
    func print(_ line: String) {
        console.write(line + "\n")
    }

    /// Prints one informational line on standard error, so standard output stays machine-readable.
    func note(_ line: String) {
        console.writeError(line + "\n")
    }

    /// Prints `pamtoken: warning: …` on standard error.
    func warn(_ text: String) {
        console.writeError("pamtoken: warning: \(text)\n")
    }
}
