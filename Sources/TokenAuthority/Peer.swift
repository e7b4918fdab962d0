/// Who is on the other end of a connection, as far as the kernel can tell us.
public enum Peer: Sendable, Hashable, CustomStringConvertible {
    /// A process on the Unix socket; `SO_PEERCRED` proves its uid, gid and pid.
    case unix(uid: UInt32, gid: UInt32, pid: Int32)
    /// A TCP client; only its address is known.
    case tcp(address: String)
    /// Not known (in-process tests, or a socket type we cannot query).
    case unknown

    /// Whether the peer is on the Unix socket (and so may use admin routes and the peercred grant).
    public var isUnixSocket: Bool {
        if case .unix = self { return true }
        return false
    }

    /// The kernel-verified uid, on the Unix socket only.
    public var uid: UInt32? {
        if case .unix(let uid, _, _) = self { return uid }
        return nil
    }

    /// The key failed logins are counted under for this peer: the uid on the socket, the network on TCP.
    ///
    /// Whoever can bind 127.0.0.2 can bind every address of 127.0.0.0/8, so loopback in all its forms
    /// (127.0.0.0/8, `::1`, `::ffff:127.0.0.0/104`) is one peer; an IPv4-mapped address is its IPv4 address;
    /// any other IPv6 address is its /64, the smallest block a site is normally given.
    public var throttleKey: String {
        switch self {
        case .unix(let uid, _, _): "uid:\(uid)"
        case .tcp(let address): "ip:" + PeerAddress.throttleNetwork(address)
        case .unknown: "unknown"
        }
    }

    /// For `PAM_RHOST` and logs.
    public var remoteHost: String? {
        switch self {
        case .unix(let uid, _, let pid): "uid \(uid) pid \(pid)"
        case .tcp(let address): address
        case .unknown: nil
        }
    }

    public var description: String { remoteHost ?? "unknown" }
}
