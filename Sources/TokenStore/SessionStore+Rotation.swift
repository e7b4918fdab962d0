public import Foundation
import GRDB
public import TokenCore

extension SessionStore {
    /// Starts a session with its first refresh token, in one transaction.
    public func createSession(_ new: NewSession, token: RefreshToken) async throws -> (session: SessionRecord, refreshExpiresAt: Date) {
        let now = nowSeconds
        let (session, tokenExpiry) = new.startingWithToken(at: now)
        let record = RefreshTokenRecord(
            hash: token.hash, sessionID: session.id, parentHash: nil, createdAt: now, expiresAt: tokenExpiry, usedAt: nil, revokedAt: nil)
        try await groupCommit.write { db in
            try session.insert(db)
            try record.insert(db)
        }
        return (session, Self.date(tokenExpiry))
    }

    /// Exchanges `presented` for `next` (docs/api.md#refresh-token-grant), in one write transaction:
    ///
    /// - an unused, unexpired token of a live session is marked used and `next` becomes its child;
    /// - a used token is *reuse*: someone holds a copy of a token already exchanged, so the whole session
    ///   (every token of the family, the newest included) is revoked — unless `reuseGrace` > 0 and this is
    ///   a repeat of the newest parent within the grace window whose child was never used, which is taken
    ///   as a client retrying after a lost response: that child is revoked and `next` replaces it.
    ///
    /// Writes are serialised by GRDB's writer, so of any number of concurrent calls with the same token
    /// exactly one sees it unused.
    public func rotate(
        _ presented: RefreshToken, to next: RefreshToken, refreshTTL: TimeInterval, reuseGrace: TimeInterval
    )
        async throws -> RotationResult
    {
        let now = nowSeconds
        return try await groupCommit.write { db -> RotationResult in
            // Cached statements: the hot path prepares its SQL once per connection, not per rotation.
            guard
                let token = try RefreshTokenRecord.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM refresh_tokens WHERE hash = ?"), arguments: [presented.hash]),
                var session = try SessionRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE id = ?"), arguments: [token.sessionID])
            else { return .rejected(.unknown) }
            if session.revokedAt != nil { return .rejected(.sessionRevoked) }
            if session.expiresAt <= now { return .rejected(.sessionExpired) }

            var retry = false
            if token.usedAt != nil || token.revokedAt != nil {
                guard try Self.isGraceRetry(of: token, now: now, grace: reuseGrace, db) else {
                    try Self.revoke(&session, reason: "refresh token reuse", at: now, db)
                    return .rejected(.reuseDetected(sessionID: session.id, user: session.user))
                }
                try db.execute(
                    sql: "UPDATE refresh_tokens SET revoked_at = ? WHERE parent_hash = ? AND revoked_at IS NULL",
                    arguments: [now, token.hash])
                retry = true
            } else {
                if token.expiresAt <= now { return .rejected(.expired) }
                try db.cachedStatement(sql: "UPDATE refresh_tokens SET used_at = ? WHERE hash = ?").execute(arguments: [now, token.hash])
            }

            let expiry = min(now + Int64(refreshTTL), session.expiresAt)
            try db.cachedStatement(sql: "INSERT INTO refresh_tokens (hash, session_id, parent_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [next.hash, session.id, token.hash, now, expiry])
            session.lastUsedAt = now
            session.idleExpiresAt = expiry
            try db.cachedStatement(sql: "UPDATE sessions SET last_used_at = ?, idle_expires_at = ? WHERE id = ?")
                .execute(arguments: [now, expiry, session.id])
            return retry
                ? .retried(session: session, refreshExpiresAt: Self.date(expiry))
                : .rotated(session: session, refreshExpiresAt: Self.date(expiry))
        }
    }

    /// A used token may be presented again only within the grace window, only if it was not itself
    /// revoked, and only while none of its children has been used (the client never got past it).
    private static func isGraceRetry(of token: RefreshTokenRecord, now: Int64, grace: TimeInterval, _ db: Database) throws -> Bool {
        guard grace > 0, token.revokedAt == nil, let usedAt = token.usedAt, now - usedAt <= Int64(grace) else { return false }
        let usedChildren =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM refresh_tokens WHERE parent_hash = ? AND used_at IS NOT NULL", arguments: [token.hash]) ?? 0
        return usedChildren == 0
    }

    static func revoke(_ session: inout SessionRecord, reason: String, at now: Int64, _ db: Database) throws {
        session.revokedAt = now
        session.revokeReason = reason
        try session.update(db, columns: [SessionRecord.CodingKeys.revokedAt.rawValue, SessionRecord.CodingKeys.revokeReason.rawValue])
        // The sessions relying parties got from a browser session end with it (one level: they have none of their own).
        try db.execute(
            sql: "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE parent_id = ? AND revoked_at IS NULL",
            arguments: [now, "browser session ended: \(reason)", session.id])
    }

    static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
