public import Foundation
public import GRDB

/// A row of `refresh_tokens`. The token itself is never stored, only its SHA-256 (``RefreshToken/hash``):
/// a copy of the database gives an attacker nothing to present.
public struct RefreshTokenRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    /// GRDB's table name.
    public static let databaseTableName = "refresh_tokens"

    /// SHA-256 of the token: the only form stored.
    public var hash: Data
    /// The session (token family) it belongs to.
    public var sessionID: String
    /// The token this one was rotated from; nil for a session's first token.
    public var parentHash: Data?
    /// Seconds since 1970.
    public var createdAt: Int64
    /// When it stops being usable, unused.
    public var expiresAt: Int64
    /// Set when the token was exchanged for a new pair. Presenting it again is reuse.
    public var usedAt: Int64?
    /// Set when a retry within the reuse grace replaced this (never delivered) token.
    public var revokedAt: Int64?

    /// A row with every column given.
    public init(hash: Data, sessionID: String, parentHash: Data?, createdAt: Int64, expiresAt: Int64, usedAt: Int64?, revokedAt: Int64?) {
        self.hash = hash
        self.sessionID = sessionID
        self.parentHash = parentHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case hash
        case sessionID = "session_id"
        case parentHash = "parent_hash"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case usedAt = "used_at"
        case revokedAt = "revoked_at"
    }
}
