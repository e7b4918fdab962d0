public import Foundation
public import TokenCore

/// What a login records about the new session.
public struct NewSession: Sendable {
    public var user: String
    public var uid: UInt32
    public var authMethod: AuthMethod
    public var clientID: String
    public var scope: String?
    public var peer: String?
    public var peerUID: UInt32?
    public var peerPID: Int32?
    /// The browser session an authorization code came from, for a relying party's session.
    public var parentID: String?
    /// Absolute session lifetime.
    public var maxAge: TimeInterval
    /// Lifetime of each refresh token.
    public var refreshTTL: TimeInterval

    public init(
        user: String, uid: UInt32, authMethod: AuthMethod, clientID: String, scope: String? = nil,
        peer: String? = nil, peerUID: UInt32? = nil, peerPID: Int32? = nil, parentID: String? = nil, maxAge: TimeInterval,
        refreshTTL: TimeInterval
    ) {
        self.parentID = parentID
        self.user = user
        self.uid = uid
        self.authMethod = authMethod
        self.clientID = clientID
        self.scope = scope
        self.peer = peer
        self.peerUID = peerUID
        self.peerPID = peerPID
        self.maxAge = maxAge
        self.refreshTTL = refreshTTL
    }
}

extension NewSession {
    /// The row of a session starting `now`: it ends absolutely at `expiresAt`, and idles out at
    /// `idleExpiresAt` (its first refresh token's expiry, or `expiresAt` for a browser session).
    private func record(at now: Int64, expiresAt: Int64, idleExpiresAt: Int64) -> SessionRecord {
        SessionRecord(
            id: Identifier.random(), user: user, uid: uid, authMethod: authMethod, clientID: clientID, scope: scope, peer: peer,
            peerUID: peerUID, peerPID: peerPID, createdAt: now, lastUsedAt: now, expiresAt: expiresAt, idleExpiresAt: idleExpiresAt,
            revokedAt: nil, revokeReason: nil, parentID: parentID)
    }

    /// The row of a session starting `now` with its first refresh token, and that token's expiry: the
    /// session ends absolutely `maxAge` later, and the token lasts `refreshTTL` but never past that end.
    public func startingWithToken(at now: Int64) -> (session: SessionRecord, tokenExpiry: Int64) {
        let expiresAt = now + Int64(maxAge)
        let tokenExpiry = min(now + Int64(refreshTTL), expiresAt)
        return (record(at: now, expiresAt: expiresAt, idleExpiresAt: tokenExpiry), tokenExpiry)
    }

    /// The row of a browser session starting `now`: it has no refresh tokens, so it idles out only at
    /// its absolute end, `maxAge` later, however often it is used.
    public func startingBrowserSession(at now: Int64) -> SessionRecord {
        record(at: now, expiresAt: now + Int64(maxAge), idleExpiresAt: now + Int64(maxAge))
    }
}

/// The outcome of presenting a refresh token (docs/api.md#refresh-token-grant).
public enum RotationResult: Sendable {
    /// The token was exchanged: `session` is updated, the new token expires at `refreshExpiresAt`.
    case rotated(session: SessionRecord, refreshExpiresAt: Date)
    /// A repeat of an already rotated token within the reuse grace: the earlier, undelivered child was
    /// revoked and a new one issued.
    case retried(session: SessionRecord, refreshExpiresAt: Date)
    /// Refused; nothing was issued.
    case rejected(RefreshRejection)
}

/// Why a refresh token was refused. Clients only ever see `invalid_grant`; the cases are for logs,
/// metrics and tests.
public enum RefreshRejection: Sendable, Equatable {
    /// No such token (never issued, or garbage-collected).
    case unknown
    /// The token's idle lifetime has passed.
    case expired
    /// The session was revoked (logout, admin, account check).
    case sessionRevoked
    /// The session reached its absolute maximum age.
    case sessionExpired
    /// An already used token was presented again: the whole session has just been revoked.
    case reuseDetected(sessionID: String, user: String)
}
