public import Foundation
import JWTKit

/// Signs access tokens with the key ring's active key.
public struct TokenIssuer: Sendable {
    public let policy: TokenPolicy
    public let keyRing: KeyRing
    private let clock: any WallClock

    public init(policy: TokenPolicy, keyRing: KeyRing, clock: any WallClock) {
        self.policy = policy
        self.keyRing = keyRing
        self.clock = clock
    }

    /// A signed access token and what it says.
    public struct Issued: Sendable {
        public var token: String
        public var claims: AccessTokenClaims
        public var expiresAt: Date
    }

    /// Issues a token for `identity` in `session`, valid for ``TokenPolicy/accessTTL`` from now.
    /// - Parameter audiences: `aud`, when not the configured audiences (a registered client's own id).
    public func issue(for identity: UserIdentity, in session: SessionContext, audiences: [String]? = nil) async throws -> Issued {
        let now = clock.nowInSeconds
        let expiresAt = now.addingTimeInterval(policy.accessTTL.rounded(.down))
        let claims = AccessTokenClaims(
            issuer: policy.issuer, subject: identity.user, audience: audiences ?? policy.audiences, issuedAt: now, expiresAt: expiresAt,
            tokenID: Data.random(count: 16).base64URLEncodedString(), clientID: session.clientID,
            authTime: Date(timeIntervalSince1970: session.authTime.timeIntervalSince1970.rounded(.down)),
            sessionID: session.sessionID, authMethod: session.authMethod,
            uid: identity.uid, gid: identity.gid, groups: identity.groups, name: identity.name, scope: session.scope)
        let keys = keyRing.current
        var header = JWTHeader()
        header.typ = "at+jwt"
        header.alg = keys.algorithm.rawValue
        let token = try await keys.verificationKeys.collection.sign(claims, kid: JWKIdentifier(string: keys.active.kid), header: header)
        return Issued(token: token, claims: claims, expiresAt: expiresAt)
    }

    /// A signed ID token for the client of an authorization code (docs/api.md#id-token), bound to the
    /// access token issued with it by `at_hash`, valid as long as that access token.
    ///
    /// - Parameter algorithm: the client's `id_token_alg`; the access tokens' algorithm when nil.
    public func issueIDToken(
        for identity: UserIdentity, clientID: String, nonce: String?, browserSessionID: String, authTime: Date, scopes: [String],
        accessToken: String, algorithm: SigningAlgorithm? = nil
    ) async throws -> String {
        let now = clock.nowInSeconds
        let keys = keyRing.current
        let key = algorithm.flatMap { keys.activeByAlgorithm[$0] } ?? keys.active
        var claims = IDTokenClaims(
            issuer: policy.issuer, identity: identity, clientID: clientID, issuedAt: now,
            expiresAt: now.addingTimeInterval(policy.accessTTL.rounded(.down)), authTime: authTime, nonce: nonce,
            sessionID: browserSessionID, authMethod: .password, scopes: scopes)
        claims.atHash = IDTokenClaims.leftHalfHash(of: accessToken, algorithm: key.algorithm)
        var header = JWTHeader()
        header.typ = "JWT"
        header.alg = key.algorithm.rawValue
        return try await keys.verificationKeys.collection.sign(claims, kid: JWKIdentifier(string: key.kid), header: header)
    }

    /// The claims of an ID token this key ring signed, or in a fleet another host, expired or not:
    /// `/end_session` takes one as a hint of who is signing out. nil when the signature, the algorithm
    /// or the issuer is not ours.
    public func readIDTokenHint(_ token: String) async -> IDTokenClaims? {
        let keys = keyRing.current
        // Explicit typing (RFC 8725 §3.11): an access token (`at+jwt`) is not an ID token, even a valid one.
        // The algorithm is the key's, never the token's choice (RFC 8725 §3.1).
        struct Header: Decodable {
            var typ: String?
            var alg: String?
            var kid: String?
        }
        guard let headerPart = token.split(separator: ".", maxSplits: 1).first, let headerData = Data(base64URLEncoded: headerPart),
            let header = try? JSONDecoder().decode(Header.self, from: headerData), header.typ == "JWT",
            let algorithm = keys.keys.first(where: { $0.kid == header.kid })?.algorithm
                ?? keys.peers.first(where: { $0.kid == header.kid })?.algorithm,
            header.alg == algorithm.rawValue,
            let claims = try? await keys.verificationKeys.collection.verify(token, as: IDTokenClaims.self),
            claims.iss.value == policy.issuer
        else { return nil }
        return claims
    }
}
