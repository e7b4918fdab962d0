/// An error that ends a command: one plain line for stderr and the exit code docs/api.md#the-pamtoken-cli assigns.
///
/// A struct over a kind rather than an open enum, so new situations can be added without breaking
/// callers (the shape of Hummingbird's `PersistError`). Messages never contain a password or a token.
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The exit-code classes of docs/api.md#the-pamtoken-cli.
    public enum Kind: Sendable, Equatable {
        /// Refused or invalid: wrong password, expired session, invalid token, a daemon error answer (exit 1).
        case refused
        /// The command line is wrong (exit 2).
        case usage
        /// The daemon cannot be reached (exit 3).
        case unreachable
        /// Interrupted by a signal (exit 128 + the signal number).
        case interrupted(signal: Int32)
    }

    public let kind: Kind
    /// The message without the `pamtoken: ` prefix.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func refused(_ message: String) -> CLIError { CLIError(.refused, message) }
    public static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }
    public static func unreachable(_ message: String) -> CLIError { CLIError(.unreachable, message) }

    /// The hint printed whenever a command needs a session and there is none.
    public static let notLoggedIn = CLIError.refused("not logged in; run 'pamtoken login'")

    /// The daemon no longer accepts the session (revoked by an admin, by the user elsewhere, or its account refused).
    public static let sessionRevoked = CLIError.refused("session revoked; run 'pamtoken login'")

    public var exitCode: Int32 {
        switch kind {
        case .refused: 1
        case .usage: 2
        case .unreachable: 3
        case .interrupted(let signal): 128 + signal
        }
    }

    public var description: String { message }
}

/// The process exit codes of docs/api.md#the-pamtoken-cli, in one place.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let refused: Int32 = 1
    public static let usage: Int32 = 2
    public static let unreachable: Int32 = 3
}
