import Foundation
import Logging
public import PamtokenWire
import Prometheus
public import TokenCore
public import TokenStore

/// What the routes other than the grants need: sessions of a user (their own, or anyone's for an
/// admin), the keys, garbage collection, health and metrics. Routes only parse and render; the store
/// and the key ring are reached through here, where failures become ``AuthorityFailure``s.
extension Authority {
    /// The issuer URL: `iss` of every token and the base of the metadata documents.
    public var issuerURL: String { policy.issuer }

    /// The signing keys as published now (the JWKS is their public half).
    public var keys: KeySet { keyRing.current }

    /// Active sessions, newest first: of `user`, or of everyone when nil (admin only).
    public func activeSessions(user: String?) async throws(AuthorityFailure) -> [SessionRecord] {
        try await storage("list sessions") { try await self.store.activeSessions(user: user) }
    }

    /// Revokes one of `user`'s own active sessions. False when `id` names no active session of theirs:
    /// another user's session is indistinguishable from none.
    public func revokeOwnSession(id: String, user: String) async throws(AuthorityFailure) -> Bool {
        guard let session = try await storage("find session", { try await self.store.session(id: id) }),
            session.user == user, session.isActive(at: clock.now)
        else { return false }
        _ = try await storage("revoke") { try await self.store.revokeSession(id: id, reason: "revoked by its user") }
        return true
    }

    /// Revokes every session of `user`, or one session by id, for an administrator (`admin` names them
    /// in the revocation reason). Returns how many were revoked.
    public func revokeSessions(user: String?, session: String?, by admin: String) async throws(AuthorityFailure) -> Int {
        switch (user, session) {
        case (let user?, nil):
            return try await storage("revoke") { try await self.store.revokeSessions(user: user, reason: "revoked by admin \(admin)") }
        case (nil, let session?):
            return try await storage("revoke") { try await self.store.revokeSession(id: session, reason: "revoked by admin \(admin)") ? 1 : 0 }
        default:
            throw .invalidRequest("give exactly one of user or session")
        }
    }

    /// Whether `uid` may use the admin operations: root, or a member of `admin_group`.
    public func isAdmin(uid: UInt32) async -> Bool {
        guard uid != 0 else { return true }
        guard let group = settings.adminGroup else { return false }
        return await users.isMember(uid: uid, ofGroup: group)
    }

    /// Makes a new active signing key; the old one stays published until no token it signed is valid.
    /// In a fleet the new keys are published before they sign anything, and a rotation that cannot
    /// publish them does not happen.
    public func rotateKeys() async throws(AuthorityFailure) -> SigningKey {
        var announce: (@Sendable ([SigningKey]) async throws -> Void)?
        if let fleetKeys { announce = { keys in try await fleetKeys.announce(keys) } }
        let key: SigningKey
        do {
            key = try await keyRing.rotate(announce: announce)
        } catch {
            logger.error("key rotation failed", metadata: ["error": "\(error)"])
            throw .temporarilyUnavailable
        }
        // The retired keys' rows now end with the last token they signed; the next interval would do it too.
        do {
            try await fleetKeys?.synchronize()
        } catch {
            logger.warning("publishing the fleet's keys after rotation failed", metadata: ["error": "\(error)"])
        }
        return key
    }

    /// Deletes dead sessions and tokens, and retired keys no valid token can name.
    /// Keys first: other hosts' keys that lapsed are dropped even while the database is unreachable.
    /// Each runs whatever became of the other.
    public func collectGarbage() async throws(AuthorityFailure) -> GarbageReport {
        var keys: [String]?
        do {
            keys = try await keyRing.prune(retention: policy.keyRetention)
        } catch {
            logger.error("pruning retired keys failed", metadata: ["error": "\(error)"])
        }
        let rows = try await storage("gc") { try await self.store.collectGarbage() }
        guard let keys else { throw .temporarilyUnavailable }
        return GarbageReport(deletedRows: rows, prunedKeys: keys)
    }

    /// Whether the database answers.
    public func isHealthy() async -> Bool {
        do {
            try await store.ping()
            return true
        } catch {
            logger.error("health check: database does not answer", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The Prometheus text exposition, with the active-session gauge brought up to date.
    public func metricsExposition() async -> [UInt8] {
        if let counts = try? await store.counts() {
            metrics.activeSessions.set(Int64(counts.activeSessions))
        }
        return metrics.exposition()
    }

    /// The claims of an access token whose only fault may be its age, or nil (the tutorial's refresh
    /// takes an expired access token along with the refresh token).
    public func claimsAcceptingExpiry(of token: String) async -> AccessTokenClaims? {
        try? await verifier.verify(token, acceptingExpired: true)
    }

    /// The session a refresh token belongs to, whatever the token's state; nil for junk.
    public func session(presenting token: String) async throws(AuthorityFailure) -> SessionRecord? {
        guard let refresh = RefreshToken(token) else { return nil }
        return try await storage("find session") { try await self.store.session(for: refresh) }
    }
}
