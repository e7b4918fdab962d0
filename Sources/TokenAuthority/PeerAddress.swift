import TokenCore

/// Which network a TCP peer is in, as the login throttle counts peers.
enum PeerAddress {
    /// `loopback`, an IPv4 address, or an IPv6 /64 (`2001:db8:0:1::/64`); unparsable text as it is.
    static func throttleNetwork(_ address: String) -> String {
        guard let ip = IPAddress(address) else { return address }
        if ip.isLoopback { return "loopback" }
        switch ip {
        case .v4(let a, let b, let c, let d):
            return "\(a).\(b).\(c).\(d)"
        case .v6(let bytes):
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        }
    }
}
