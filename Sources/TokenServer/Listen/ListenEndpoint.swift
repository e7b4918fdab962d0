import Foundation

/// Where a ``Listener`` accepts connections.
public enum ListenEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A Unix socket we create: parent directory made if missing, mode 0666 (any local user may try to
    /// authenticate; docs/api.md#transports), a stale socket file replaced.
    case unix(path: String)
    /// A TCP socket we bind.
    case tcp(host: String, port: Int)
    /// A listening socket handed over by systemd (fd 3 …), already bound and configured by the unit.
    case inherited(fd: Int32, name: String, isUnix: Bool)

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "tcp:\(host):\(port)"
        case .inherited(let fd, let name, _): "fd \(fd) (\(name))"
        }
    }

    /// Whether connections carry kernel-verified peer credentials.
    var isUnixSocket: Bool {
        switch self {
        case .unix: true
        case .tcp: false
        case .inherited(_, _, let isUnix): isUnix
        }
    }
}
