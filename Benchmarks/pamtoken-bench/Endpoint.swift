/// Where the daemon listens, in the daemon's own `--listen` syntax: `unix:/path` or `tcp:127.0.0.1:8719`.
enum Endpoint: Sendable, CustomStringConvertible {
    case unix(String)
    case tcp(host: String, port: UInt16)

    init?(_ text: String) {
        if text.hasPrefix("unix:") {
            self = .unix(String(text.dropFirst(5)))
        } else if text.hasPrefix("tcp:"), let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) {
            self = .tcp(host: String(text[text.index(text.startIndex, offsetBy: 4)..<colon]), port: port)
        } else {
            return nil
        }
    }

    /// The transport's name in reports.
    var transport: String {
        switch self {
        case .unix: "unix"
        case .tcp: "tcp"
        }
    }

    var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "tcp:\(host):\(port)"
        }
    }
}
