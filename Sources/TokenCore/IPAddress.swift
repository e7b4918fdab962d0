#if canImport(Glibc)
import Glibc
#endif

/// An IP address parsed from text, and the one place that decides what counts as loopback.
///
/// Parsed with `inet_pton`, the C library's own parser, so that every spelling the kernel accepts
/// (`::ffff:127.0.0.1`, `0:0:0:0:0:0:0:1`) is recognised and none is invented. Used by the daemon's
/// listener rules, throttle and Host check, the CLI, and the relying-party library alike, so that
/// none of them disagrees with another about `::ffff:127.0.0.1` or `LOCALHOST`.
public enum IPAddress: Sendable, Hashable {
    case v4(UInt8, UInt8, UInt8, UInt8)
    /// Sixteen bytes, network order.
    case v6([UInt8])

    /// Parses an address; IPv6 may be written in brackets (`[::1]`), as in URLs and Host headers.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.hasPrefix("["), body.hasSuffix("]") {
            body = body.dropFirst().dropLast()
            guard body.contains(":") else { return nil }  // brackets are for IPv6 only
        }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(body), &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            self = .v4(UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff))
        } else if inet_pton(AF_INET6, String(body), &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<12].elementsEqual(Self.mappedPrefix) {
                self = .v4(bytes[12], bytes[13], bytes[14], bytes[15])  // ::ffff:a.b.c.d is a.b.c.d
            } else {
                self = .v6(bytes)
            }
        } else {
            return nil
        }
    }

    /// 127.0.0.0/8 (IPv4-mapped included) or `::1`.
    public var isLoopback: Bool {
        switch self {
        case .v4(let first, _, _, _): first == 127
        case .v6(let bytes): bytes == Self.loopback6
        }
    }

    /// Whether a host — an address, or the name `localhost` in any case, with or without a final dot —
    /// is this machine's loopback. Other names are not: what they resolve to is DNS's to change.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }  // the root label, once: `localhost.` is `localhost`
        return name == "localhost" || (IPAddress(name)?.isLoopback ?? false)
    }

    private static let loopback6: [UInt8] = Array(repeating: 0, count: 15) + [1]
    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
}
