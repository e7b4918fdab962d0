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
    static func host(ofAuthority authority: String) -> String? {
        var text = Substring(authority)
        var port: Substring = ""
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
            port = rest.dropFirst()
            text = text[text.startIndex...close]
        } else if let colon = text.firstIndex(of: ":") {
            port = text[text.index(after: colon)...]
            text = text[..<colon]
        }
        guard port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if !text.hasPrefix("["), text.contains(where: { "@/\\[] ".contains($0) }) { return nil }
        let host = normalizedHost(String(text))
        return host.isEmpty || host.hasSuffix(".") || host.contains("..") ? nil : host
    }

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
