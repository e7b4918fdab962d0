import Foundation

/// The origin of a web URL (RFC 6454): scheme, host and port, which browsers send in `Origin` and
/// which decides what a page may talk to.
///
/// The server compares a request's `Origin` with the issuer's and the configured ones in this form;
/// the configuration is checked with the same parser, so the two cannot disagree on a spelling.
public struct WebOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    public let scheme: String
    /// Lower case; IPv6 addresses without brackets.
    public let host: String
    /// The port, nil when it is the scheme's default.
    public let port: Int?

    /// The origin of an http(s) URL with no user info, query or fragment and an empty or `/` path;
    /// nil for anything else (including the opaque origin `null`).
    public init?(url text: String) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = url.host?.lowercased(), !host.isEmpty, url.user == nil, url.password == nil, url.query == nil,
            url.fragment == nil, url.path.isEmpty || url.path == "/"
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.scheme = scheme
        self.host = host
        self.port = url.port == (scheme == "https" ? 443 : 80) ? nil : url.port
    }

    /// The origin of the site an issuer URL (which may have a path) belongs to.
    public init?(issuer text: String) {
        guard var url = URLComponents(string: text) else { return nil }
        url.path = ""
        guard let origin = url.string.flatMap(WebOrigin.init(url:)) else { return nil }
        self = origin
    }

    /// The ASCII serialisation, as browsers send it: `https://app.example.com`, `http://[::1]:8719`.
    public var serialized: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(scheme)://\(name):\($0)" } ?? "\(scheme)://\(name)"
    }

    public var description: String { serialized }
}
