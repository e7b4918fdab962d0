public import Foundation

/// Where a verifier gets the daemon's issuer and public keys. A protocol so tests (and services with
/// their own HTTP stack) can provide them; ``DaemonKeySetSource`` fetches them from a running daemon.
public protocol KeySetSource: Sendable {
    /// The daemon's current issuer and JWKS document (RFC 7517 JSON).
    func fetch() async throws -> PublishedKeys

    /// The issuer this source should declare, when the source itself implies one (a URL does; a Unix
    /// socket does not). ``PAMTokenVerifier`` refuses keys published under any other issuer.
    var expectedIssuer: String? { get }
}

extension KeySetSource {
    /// No expectation by default: the source is trusted to say who it is.
    public var expectedIssuer: String? { nil }
}

/// What a daemon publishes: its issuer (from RFC 8414 metadata) and its JWKS.
public struct PublishedKeys: Sendable {
    /// The `issuer` of the daemon's metadata document: what tokens must carry in `iss`.
    public var issuer: String
    /// The JWKS document as published (`/.well-known/jwks.json`).
    public var jwks: Data

    /// Keys as published by a daemon with this issuer.
    public init(issuer: String, jwks: Data) {
        self.issuer = issuer
        self.jwks = jwks
    }
}
