/// Why a request got no usable answer. Every case names the daemon's address, so the one line printed
/// tells the user which socket or URL was tried.
public struct DaemonClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No connection: no socket file, nobody listening, permission denied, connect timed out.
        case unreachable
        /// Connected, but the exchange failed: reset, timeout, the response cut short.
        case transport
        /// An answer arrived that is not HTTP or not what the daemon sends.
        case badResponse
    }

    public let kind: Kind
    public let address: DaemonAddress
    public let reason: String

    public init(_ kind: Kind, address: DaemonAddress, reason: String) {
        self.kind = kind
        self.address = address
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .unreachable: "cannot reach pamtokend at \(address): \(reason)"
        case .transport: "lost the connection to pamtokend at \(address): \(reason)"
        case .badResponse: "unexpected answer from \(address): \(reason)"
        }
    }

    /// docs/api.md#the-pamtoken-cli: a daemon that cannot be reached (or stops answering) is exit 3; a daemon that answers
    /// nonsense has been reached, so that is a refusal (exit 1).
    public var cliError: CLIError {
        switch kind {
        case .unreachable, .transport: .unreachable(description)
        case .badResponse: .refused(description)
        }
    }
}
