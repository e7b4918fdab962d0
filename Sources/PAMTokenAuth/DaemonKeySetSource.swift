public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PamtokenWire
import TokenCore

/// Fetches the issuer and JWKS from `pamtokend` over its Unix socket or a URL.
///
/// Both documents are read from the address given, not from the `jwks_uri` in the metadata: over
/// the Unix socket the advertised URL may be a TCP address this service cannot reach, and the socket
/// is the more trustworthy path anyway (only the daemon can own it).
///
/// Keys are trust itself, so they are taken only over a channel nobody else can alter: the Unix
/// socket, loopback, or https. A plain-http URL to another host is refused, and so is an answer that
/// arrived through a redirect.
public struct DaemonKeySetSource: KeySetSource {
    /// How to reach the daemon.
    public enum Address: Sendable, Hashable {
        /// The daemon's Unix socket, e.g. `/run/pamtoken/pamtoken.sock`.
        case unixSocket(String)
        /// A base URL, e.g. `http://127.0.0.1:8719`.
        case url(String)
    }

    /// Where this source asks.
    public let address: Address
    private let client: HTTPClient

    /// - Parameters:
    ///   - address: the daemon's Unix socket (default: the shipped one) or its URL (https, or http to
    ///     this machine only).
    ///   - client: the AsyncHTTPClient to ask with; the shared one by default.
    public init(address: Address = .unixSocket("/run/pamtoken/pamtoken.sock"), client: HTTPClient = .shared) {
        self.address = address
        self.client = client
    }

    var baseURL: String {
        switch address {
        case .unixSocket(let path): "http+unix://" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path)
        case .url(let url): url.hasSuffix("/") ? String(url.dropLast()) : url
        }
    }

    /// For a URL, the URL itself: the daemon behind it must declare it as its issuer.
    public var expectedIssuer: String? {
        if case .url = address { return baseURL }
        return nil
    }

    /// Whether keys may be fetched from `url`: https anywhere, http only to this machine.
    static func isTrustedTransport(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host else {
            return false
        }
        if scheme == "https" { return true }
        guard scheme == "http" else { return false }
        return IPAddress.isLoopback(host: host)
    }

    /// The daemon's issuer (from its metadata) and JWKS, both read from ``address``.
    /// - Throws: ``PAMTokenAuthError/discoveryFailed(_:)`` for an untrusted transport, a redirect, an
    ///   error status or a document that does not parse.
    public func fetch() async throws -> PublishedKeys {
        if case .url(let url) = address, !Self.isTrustedTransport(url) {
            throw PAMTokenAuthError.discoveryFailed(
                "refusing to fetch keys from \(url): use https, a loopback address, or the daemon's Unix socket")
        }
        let metadata = try await get("/.well-known/openid-configuration")
        guard let document = try? JSONDecoder().decode(ServerMetadata.self, from: metadata) else {
            throw PAMTokenAuthError.discoveryFailed("the discovery document has no issuer")
        }
        return PublishedKeys(issuer: document.issuer, jwks: try await get("/.well-known/jwks.json"))
    }

    private func get(_ path: String) async throws -> Data {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(10))
        } catch {
            throw PAMTokenAuthError.discoveryFailed("\(path): \(error)")
        }
        guard response.status == .ok else { throw PAMTokenAuthError.discoveryFailed("\(path): HTTP \(response.status.code)") }
        guard response.history.count <= 1 else {
            throw PAMTokenAuthError.discoveryFailed("\(path): redirected; keys are only taken from the address configured")
        }
        return Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
    }
}
