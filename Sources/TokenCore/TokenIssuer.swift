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
    public func issue(for identity: UserIdentity, in session: SessionContext) async throws -> Issued {
        let now = clock.nowInSeconds
        let expiresAt = now.addingTimeInterval(policy.accessTTL.rounded(.down))
        let claims = AccessTokenClaims(
            issuer: policy.issuer, subject: identity.user, audience: policy.audiences, issuedAt: now, expiresAt: expiresAt,
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
}
