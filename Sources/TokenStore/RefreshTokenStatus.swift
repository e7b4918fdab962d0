public import Foundation
import GRDB
public import TokenCore

/// What the store knows of one refresh token, for RFC 7662 introspection.
public struct RefreshTokenStatus: Sendable {
    public var session: SessionRecord
    public var createdAt: Int64
    public var expiresAt: Int64
    public var used: Bool
    public var revoked: Bool

    /// Whether presenting it now would succeed (unused, unexpired, live session).
    public func isUsable(at now: Date) -> Bool {
        !used && !revoked && Int64(now.timeIntervalSince1970) < expiresAt && session.isActive(at: now)
    }
}

extension SessionStore {
    /// The state of a refresh token, or nil when unknown. Read-only.
    public func refreshTokenStatus(_ token: RefreshToken) async throws -> RefreshTokenStatus? {
        try await writer.read { db in
            guard let record = try RefreshTokenRecord.fetchOne(db, key: token.hash),
                let session = try SessionRecord.fetchOne(db, key: record.sessionID)
            else { return nil }
            return RefreshTokenStatus(
                session: session, createdAt: record.createdAt, expiresAt: record.expiresAt, used: record.usedAt != nil,
                revoked: record.revokedAt != nil)
        }
    }
}
