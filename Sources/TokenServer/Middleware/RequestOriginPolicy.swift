import HTTPTypes
import TokenCore

/// Which requests a TCP listener answers, as a defence against web pages: DNS rebinding (a page whose
/// own name now resolves to 127.0.0.1 sends `Host: rebind.attacker.example`) and cross-site requests
/// (a page elsewhere posts to `http://127.0.0.1:8719/token`, sending its `Origin` or
/// `Sec-Fetch-Site: cross-site`).
///
/// Every request must name this daemon in `Host`; requests that change something (every method but
/// GET and HEAD) must also come from the issuer's origin or an allowed one. A browser cannot forge
/// `Host`, `Origin` or `Sec-Fetch-*`; programs can, but a program on this machine can reach the daemon
/// anyway. The Unix socket is exempt: browsers cannot open one.
public struct RequestOriginPolicy: Sendable {
    private let hosts: Set<String>
    private let origins: Set<String>

    /// - Parameters:
    ///   - issuer: the daemon's issuer URL: its host is a name requests may use, its origin an origin.
    ///   - allowedHosts: further `Host` names (a reverse proxy's), as in `allowed_hosts`.
    ///   - allowedOrigins: further origins, as in `allowed_origins`.
    public init(issuer: String, allowedHosts: [String] = [], allowedOrigins: [String] = []) {
        let issuerOrigin = WebOrigin(issuer: issuer)
        hosts = Set(allowedHosts.map { Self.normalizedHost($0) } + [issuerOrigin?.host].compactMap { $0 })
        origins = Set(allowedOrigins.compactMap { WebOrigin(url: $0)?.serialized } + [issuerOrigin?.serialized].compactMap { $0 })
    }

    /// Why a request must be refused, or nil when it may be answered.
    func refusal(of request: HTTPRequest) -> APIError? {
        guard let authority = request.authority, let host = Self.host(ofAuthority: authority) else {
            return .invalidRequest("a Host header is required")  // RFC 9112 §3.2
        }
        guard IPAddress.isLoopback(host: host) || hosts.contains(host) else {
            return APIError(
                .misdirectedRequest, "invalid_request",
                "this server does not answer for that Host; use a loopback address, localhost, the issuer's host, or allowed_hosts")
        }
        // Reads are left to the browser's same-origin policy: a page elsewhere can send a GET but not
        // read the answer, nor attach a Bearer token without a CORS preflight, which is never granted.
        // Proxies' forward-auth subrequests (GET /auth) carry the browser's Origin and must pass.
        if request.method == .get || request.method == .head { return nil }
        if let origin = request.headerFields[.origin] {
            guard let serialized = WebOrigin(url: origin)?.serialized, origins.contains(serialized) else {
                return .crossOrigin
            }
            return nil
        }
        if request.headerFields[.secFetchSite]?.lowercased() == "cross-site" {
            return .crossOrigin
        }
        return nil
    }

    /// The host of a `Host` value (RFC 9110 §7.2: `host [ ":" port ]`): without the port, brackets, a
    /// final dot, and case. nil for anything else — user info, a port that is not digits, stray brackets.
    /// Scans bytes, not Characters: it runs on every request, and grapheme-by-grapheme matching made
    /// it a tenth of a cheap route's CPU (docs/BENCHMARKS.md).
    static func host(ofAuthority authority: String) -> String? {
        let bytes = authority.utf8
        var hostEnd = bytes.endIndex
        var portStart = bytes.endIndex
        let bracketed = bytes.first == UInt8(ascii: "[")
        if bracketed {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostEnd = bytes.index(after: close)
            if hostEnd != bytes.endIndex {
                guard bytes[hostEnd] == UInt8(ascii: ":") else { return nil }
                portStart = bytes.index(after: hostEnd)
            }
        } else if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            hostEnd = colon
            portStart = bytes.index(after: colon)
        }
        guard bytes[portStart...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var name = bytes[..<hostEnd]
        if bracketed {
            name = name.dropFirst().dropLast()
        } else if name.contains(where: { Self.forbiddenInName.contains($0) }) {
            return nil
        }
        let dot = UInt8(ascii: ".")
        if name.last == dot { name = name.dropLast() }
        // Empty, a second final dot, or an empty label.
        guard let last = name.last, last != dot, !zip(name, name.dropFirst()).contains(where: { $0 == dot && $1 == dot }) else {
            return nil
        }
        let host = String(Substring(name))
        return name.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 >= 0x80 }) ? host.lowercased() : host
    }

    /// `@` (user info), `/` and `\\` (a path), brackets outside an IPv6 literal, and space.
    private static let forbiddenInName: [UInt8] = Array("@/\\[] ".utf8)

    /// An `allowed_hosts` entry as requests' hosts are compared: lower case, no brackets, no final dot.
    private static func normalizedHost(_ name: String) -> String {
        var host = name.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }
}

extension APIError {
    /// 403 for a request a web page on another origin sent.
    static let crossOrigin = APIError(.forbidden, "invalid_request", "cross-origin requests are not accepted")
}

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
