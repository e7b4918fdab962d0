public import Foundation
public import GRDB
public import TokenCore

/// A row of `sessions`: one login and every refresh token rotated from it (a token family).
public struct SessionRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sessions"

    public var id: String
    public var user: String
    public var uid: UInt32
    public var authMethod: AuthMethod
    public var clientID: String
    public var scope: String?
    /// Who asked, as text for people: "uid 1000 pid 4242" on the Unix socket, an address on TCP.
    public var peer: String?
    public var peerUID: UInt32?
    public var peerPID: Int32?
    public var createdAt: Int64
    public var lastUsedAt: Int64
    /// Absolute end of the session (login + session max age).
    public var expiresAt: Int64
    /// Expiry of the newest refresh token: the session dies when it goes unused this long.
    public var idleExpiresAt: Int64
    public var revokedAt: Int64?
    public var revokeReason: String?
    /// The browser session this one was started from by an authorization code: ending that one
    /// (logout, revocation) ends this one too. nil for every other session.
    public var parentID: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, user, uid, scope, peer
        case authMethod = "auth_method"
        case clientID = "client_id"
        case peerUID = "peer_uid"
        case peerPID = "peer_pid"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case idleExpiresAt = "idle_expires_at"
        case revokedAt = "revoked_at"
        case revokeReason = "revoke_reason"
        case parentID = "parent_id"
    }

    /// A row with every column given (each store builds its records from its own rows).
    public init(
        id: String, user: String, uid: UInt32, authMethod: AuthMethod, clientID: String, scope: String?, peer: String?, peerUID: UInt32?,
        peerPID: Int32?, createdAt: Int64, lastUsedAt: Int64, expiresAt: Int64, idleExpiresAt: Int64, revokedAt: Int64?,
        revokeReason: String?, parentID: String? = nil
    ) {
        self.id = id
        self.user = user
        self.uid = uid
        self.authMethod = authMethod
        self.clientID = clientID
        self.scope = scope
        self.peer = peer
        self.peerUID = peerUID
        self.peerPID = peerPID
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.idleExpiresAt = idleExpiresAt
        self.revokedAt = revokedAt
        self.revokeReason = revokeReason
        self.parentID = parentID
    }

    /// Usable now: not revoked and neither expired nor idle too long.
    public func isActive(at now: Date) -> Bool {
        let seconds = Int64(now.timeIntervalSince1970)
        return revokedAt == nil && seconds < expiresAt && seconds < idleExpiresAt
    }

    /// Login time as a date (the `auth_time` claim).
    public var createdDate: Date { Date(timeIntervalSince1970: TimeInterval(createdAt)) }
}

extension AuthMethod: DatabaseValueConvertible {}
