public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches the issuer and JWKS from `pamtokend` over its Unix socket or a URL.
///
/// Both documents are read from the address given, not from the `jwks_uri` in the metadata: over
/// the Unix socket the advertised URL may be a TCP address this service cannot reach, and the socket
/// is the more trustworthy path anyway (only the daemon can own it).
public struct DaemonKeySetSource: KeySetSource {
    /// How to reach the daemon.
    public enum Address: Sendable, Hashable {
        /// The daemon's Unix socket, e.g. `/run/pamtoken/pamtoken.sock`.
        case unixSocket(String)
        /// A base URL, e.g. `http://127.0.0.1:8719`.
        case url(String)
    }

    public let address: Address
    private let client: HTTPClient

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

    public func fetch() async throws -> PublishedKeys {
        let metadata = try await get("/.well-known/openid-configuration")
        guard let object = try? JSONSerialization.jsonObject(with: metadata) as? [String: Any], let issuer = object["issuer"] as? String else {
            throw PAMTokenAuthError.discoveryFailed("the discovery document has no issuer")
        }
        return PublishedKeys(issuer: issuer, jwks: try await get("/.well-known/jwks.json"))
    }

    private func get(_ path: String) async throws -> Data {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(10))
        } catch {
            throw PAMTokenAuthError.discoveryFailed("\(path): \(error)")
        }
        guard response.status == .ok else { throw PAMTokenAuthError.discoveryFailed("\(path): HTTP \(response.status.code)") }
        return Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
    }
}
