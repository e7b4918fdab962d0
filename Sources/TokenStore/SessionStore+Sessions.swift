import Foundation
import GRDB
public import TokenCore

extension SessionStore {
    /// The session a refresh token belongs to, whatever its state. Read-only: the server uses it to
    /// re-check the account before rotating, and `/revoke` to find the family.
    public func session(for token: RefreshToken) async throws -> SessionRecord? {
        try await writer.read { db in
            try SessionRecord.fetchOne(
                db.cachedStatement(
                    sql: "SELECT sessions.* FROM sessions JOIN refresh_tokens ON refresh_tokens.session_id = sessions.id WHERE hash = ?"),
                arguments: [token.hash])
        }
    }

    /// A session by id, whatever its state.
    public func session(id: String) async throws -> SessionRecord? {
        try await writer.read { db in try SessionRecord.fetchOne(db, key: id) }
    }

    /// Whether the session exists and is usable now. On the hot path of every Bearer request: answered
    /// from ``SessionLiveness`` when it knows, else one primary-key probe on a reader connection, with a
    /// statement prepared once per connection (GRDB's query builder and authorizer cost more than the
    /// probe itself; see docs/BENCHMARKS.md).
    public func isSessionActive(id: String) async throws -> Bool {
        let now = nowSeconds
        if liveness.isKnownActive(id, now: now) { return true }
        let epoch = liveness.epoch
        let until = try await writer.read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: Self.activeUntilSQL),
                arguments: [id, now, now])
        }
        guard let until else { return false }
        liveness.record(id, activeUntil: until, readAt: epoch)
        return true
    }

    private static let activeUntilSQL = """
        SELECT min(expires_at, idle_expires_at) FROM sessions
        WHERE id = ? AND revoked_at IS NULL AND expires_at > ? AND idle_expires_at > ?
        """

    /// Active sessions, newest first: a user's own, or everyone's when `user` is nil (admin).
    public func activeSessions(user: String?) async throws -> [SessionRecord] {
        let now = nowSeconds
        return try await writer.read { db in
            var sql = "SELECT * FROM sessions WHERE revoked_at IS NULL AND expires_at > ? AND idle_expires_at > ?"
            var arguments: StatementArguments = [now, now]
            if let user {
                sql += " AND user = ?"
                arguments += [user]
            }
            return try SessionRecord.fetchAll(db, sql: sql + " ORDER BY created_at DESC, id", arguments: arguments)
        }
    }

    /// Revokes one session. Returns false when there was no such active session.
    @discardableResult
    public func revokeSession(id: String, reason: String) async throws -> Bool {
        let now = nowSeconds
        return try await writer.write { db in
            guard var session = try SessionRecord.fetchOne(db, key: id), session.revokedAt == nil else { return false }
            try Self.revoke(&session, reason: reason, at: now, db)
            return true
        }
    }

    /// Revokes the session `token` belongs to (RFC 7009 revocation of a refresh token).
    @discardableResult
    public func revokeSession(containing token: RefreshToken, reason: String) async throws -> SessionRecord? {
        let now = nowSeconds
        return try await writer.write { db in
            guard let record = try RefreshTokenRecord.fetchOne(db, key: token.hash),
                var session = try SessionRecord.fetchOne(db, key: record.sessionID)
            else { return nil }
            if session.revokedAt == nil {
                try Self.revoke(&session, reason: reason, at: now, db)
            }
            return session
        }
    }

    /// Revokes every active session of a user. Returns how many were revoked.
    @discardableResult
    public func revokeSessions(user: String, reason: String) async throws -> Int {
        let now = nowSeconds
        return try await writer.write { db in
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user = ? AND revoked_at IS NULL",
                arguments: [now, reason, user])
            return db.changesCount
        }
    }

    /// Deletes what can never be used again, in transactions of at most `batchSize` rows so that the
    /// writer is never held for long: sessions past their absolute or idle end (with their tokens, by
    /// cascade), then expired tokens of live sessions. Returns the number of rows deleted.
    @discardableResult
    public func collectGarbage(batchSize: Int) async throws -> Int {
        let now = nowSeconds
        var total = 0
        for sql in [
            "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE min(expires_at, idle_expires_at) <= ? LIMIT ?)",
            "DELETE FROM refresh_tokens WHERE hash IN (SELECT hash FROM refresh_tokens WHERE expires_at <= ? LIMIT ?)",
            // Kept ten minutes past their expiry, so that a late replay still revokes what the code gave.
            "DELETE FROM authorization_codes WHERE hash IN (SELECT hash FROM authorization_codes WHERE expires_at + 600 <= ? LIMIT ?)",
        ] {
            while true {
                let deleted = try await writer.write { db in
                    try db.execute(sql: sql, arguments: [now, batchSize])
                    return db.changesCount
                }
                total += deleted
                if deleted < batchSize { break }
            }
        }
        return total
    }

    /// Counts for metrics: active sessions and stored refresh tokens.
    public func counts() async throws -> (activeSessions: Int, refreshTokens: Int) {
        let now = nowSeconds
        return try await writer.read { db in
            let sessions =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > ? AND idle_expires_at > ?",
                    arguments: [now, now]) ?? 0
            let tokens = try Int.fetchOne(db, sql: "SELECT count(*) FROM refresh_tokens") ?? 0
            return (sessions, tokens)
        }
    }
}
