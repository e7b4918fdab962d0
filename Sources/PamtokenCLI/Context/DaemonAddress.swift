/// Where the daemon answers: its Unix socket (the default, docs/api.md#transports) or a plain-HTTP URL for a
/// loopback TCP listener. The address also names the local session file, so two daemons never share one.
public enum DaemonAddress: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    /// `http://host:port` plus an optional path prefix (for a daemon behind a local reverse proxy).
    case tcp(host: String, port: Int, basePath: String)

    /// docs/api.md#transports.
    public static let defaultSocket = "/run/pamtoken/pamtoken.sock"

    /// `unix:/run/pamtoken/pamtoken.sock` or `http://127.0.0.1:8719`: how messages name the daemon.
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port, let basePath): "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(basePath)"
        }
    }

    public var isUnixSocket: Bool {
        if case .unix = self { true } else { false }
    }

    /// Parses `http://HOST[:PORT][/PREFIX]`. Only plain HTTP: the daemon serves no TLS, and a token sent
    /// anywhere but a local listener should go through something that adds it.
    /// The address a session file records (``description``), read back; nil for anything else.
    init?(_ description: String) {
        if description.hasPrefix("unix:") {
            self = .unix(path: String(description.dropFirst(5)))
        } else if let address = try? Self.parse(url: description) {
            self = address
        } else {
            return nil
        }
    }

    public static func parse(url text: String) throws(CLIError) -> DaemonAddress {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("http://") else {
            throw .usage("--url must be an http:// URL such as http://127.0.0.1:8719 (the daemon speaks plain HTTP on loopback)")
        }
        var rest = Substring(text.dropFirst("http://".count))
        var basePath = ""
        if let slash = rest.firstIndex(of: "/") {
            basePath = String(rest[slash...])
            rest = rest[..<slash]
            while basePath.hasSuffix("/") { basePath.removeLast() }
        }
        guard !rest.contains("@"), !basePath.contains("?"), !basePath.contains("#") else {
            throw .usage("--url takes only a scheme, host, port and path: \(text)")
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .usage("--url has an unterminated IPv6 address: \(text)") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .usage("--url is not a valid URL: \(text)") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .usage("--url has no host: \(text)") }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .usage("--url has an invalid port: \(text)") }
            port = value
        }
        return .tcp(host: String(host), port: port, basePath: basePath)
    }
}
