import Foundation
import GRDB

/// A row of `refresh_tokens`. The token itself is never stored, only its SHA-256 (``RefreshToken/hash``):
/// a copy of the database gives an attacker nothing to present.
struct RefreshTokenRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "refresh_tokens"

    var hash: Data
    var sessionID: String
    /// The token this one was rotated from; nil for a session's first token.
    var parentHash: Data?
    var createdAt: Int64
    var expiresAt: Int64
    /// Set when the token was exchanged for a new pair. Presenting it again is reuse.
    var usedAt: Int64?
    /// Set when a retry within the reuse grace replaced this (never delivered) token.
    var revokedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case hash
        case sessionID = "session_id"
        case parentHash = "parent_hash"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case usedAt = "used_at"
        case revokedAt = "revoked_at"
    }

    enum Columns {
        static let sessionID = Column(CodingKeys.sessionID)
        static let parentHash = Column(CodingKeys.parentHash)
        static let expiresAt = Column(CodingKeys.expiresAt)
    }
}
