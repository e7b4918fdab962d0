import Foundation
import PamtokenWire
import TokenAuthority
import TokenCore
import TokenStore

// The domain's records as the wire types of PamtokenWire render them: the one place where a
// SessionRecord, KeySet or TokenGrant becomes JSON.

extension TokenResponse {
    /// RFC 6749 §5.1 from a grant (the grant's `user` is for the access log, not the body).
    init(_ grant: TokenGrant) {
        self.init(
            accessToken: grant.accessToken, tokenType: grant.tokenType, expiresIn: grant.expiresIn, refreshToken: grant.refreshToken,
            refreshTokenExpiresIn: grant.refreshTokenExpiresIn, scope: grant.scope, idToken: grant.idToken)
    }
}

extension SessionInfo {
    /// A stored session as clients see it; `current` only on the caller's own listing.
    init(_ session: SessionRecord, current: Bool?) {
        self.init(
            id: session.id, user: session.user, createdAt: session.createdAt, lastUsedAt: session.lastUsedAt,
            // When the session ends if nothing else happens: idle expiry, capped by the absolute end.
            expiresAt: min(session.expiresAt, session.idleExpiresAt), authMethod: session.authMethod.rawValue,
            clientID: session.clientID, peer: session.peer, current: current)
    }
}

extension KeyList {
    /// Public facts about the signing keys, never key material.
    init(_ set: KeySet, inFleet: Bool) {
        self.init(
            keys: set.keys.map {
                KeyInfo(
                    kid: $0.kid, alg: $0.algorithm.rawValue, active: $0.retiredAt == nil, createdAt: Int64($0.createdAt.timeIntervalSince1970),
                    retiredAt: $0.retiredAt.map { Int64($0.timeIntervalSince1970) })
            },
            fleet: inFleet
                ? set.peers.map {
                    FleetKeyInfo(kid: $0.kid, alg: $0.algorithm.rawValue, host: $0.host, notAfter: Int64($0.notAfter.timeIntervalSince1970))
                } : nil)
    }
}
