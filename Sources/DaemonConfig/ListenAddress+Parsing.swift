import TokenCore

extension ListenAddress {
    /// Why a text is not a listen address: the reason alone, e.g. "the port must be a number from 1 to 65535".
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The longest Unix socket path: `sun_path` holds 108 bytes including the terminating NUL.
    static let maximumUnixPathLength = 107

    /// Parses `unix:/absolute/path` or `tcp:HOST:PORT` (docs/configuration.md), an IPv6 host in brackets
    /// (`tcp:[::1]:8719`). The inverse of ``description``.
    public init(parsing text: String) throws(ParseError) {
        guard !text.utf8.contains(0) else { throw ParseError(description: "it contains a NUL byte") }
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard path.hasPrefix("/") else { throw ParseError(description: "a Unix socket path must be absolute (unix:/path/to.sock)") }
            guard !path.hasSuffix("/") else { throw ParseError(description: "a Unix socket path must name a file, not a directory") }
            guard path.utf8.count <= Self.maximumUnixPathLength else {
                throw ParseError(description: "a Unix socket path may have at most \(Self.maximumUnixPathLength) bytes")
            }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp:") {
            let (host, port) = try Self.splitHostPort(Substring(text.dropFirst("tcp:".count)))
            self = .tcp(host: host, port: port)
        } else {
            throw ParseError(description: "it must be unix:/absolute/path or tcp:HOST:PORT")
        }
    }

    /// Whether only processes on this machine can connect: a Unix socket, or TCP on a loopback address
    /// (127.0.0.0/8, `::1`, `::ffff:127.x.x.x`, or the name `localhost`).
    public var isLocalOnly: Bool {
        switch self {
        case .unix: return true
        case .tcp(let host, _):
            return IPAddress.isLoopback(host: host)
        }
    }

    private static func splitHostPort(_ rest: Substring) throws(ParseError) -> (String, Int) {
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ParseError(description: "the IPv6 address lacks its closing ]") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw ParseError(description: "a :PORT must follow the ] of the IPv6 address") }
            portText = after.dropFirst()
            guard host.contains(":"), IPAddress(String(host)) != nil else {
                throw ParseError(description: "\(quoted(String(host))) is not an IPv6 address")
            }
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw ParseError(description: "the :PORT is missing (tcp:HOST:PORT)") }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            if host.contains(":") {
                throw ParseError(description: "an IPv6 address must be written in brackets, as in tcp:[::1]:8719")
            }
            guard !host.isEmpty else { throw ParseError(description: "the host is missing (tcp:HOST:PORT)") }
            try checkHostName(String(host))
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65_535).contains(port) else {
            throw ParseError(description: "the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }

    /// An IPv4 address in dotted-quad form or a DNS name (letters, digits, `-` and `.`).
    private static func checkHostName(_ host: String) throws(ParseError) {
        if host.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            guard IPAddress(host) != nil else { throw ParseError(description: "\(quoted(host)) is not an IPv4 address") }
            return
        }
        let allowed = host.allSatisfy { $0.isASCIIDigit || $0 == "-" || $0 == "." || ($0.isASCII && $0.isLetter) }
        guard allowed, !host.hasPrefix("-"), !host.hasPrefix("."), !host.contains("..") else {
            throw ParseError(description: "\(quoted(host)) is not a host name or IP address")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
