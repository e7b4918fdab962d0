public import Foundation
import PostgresNIO
public import TokenCore
public import TokenStore

extension PostgresSessionStore {
    public func createSession(_ new: NewSession, token: RefreshToken) async throws -> (session: SessionRecord, refreshExpiresAt: Date) {
        let now = nowSeconds
        let (session, tokenExpiry) = new.startingWithToken(at: now)
        try await leased(transaction: .readCommitted) { connection in
            try await Self.insert(session, on: connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO refresh_tokens (hash, session_id, created_at, expires_at)
                VALUES (\(token.hash.bytes), \(session.id), \(now), \(tokenExpiry))
                """, logger: logger)
        }
        return (session, Self.date(tokenExpiry))
    }

    /// As SQLite's rotation (docs/api.md#refresh-token-grant), in one transaction that first locks the
    /// presented token's row: concurrent rotations of one token, from any host, queue on that lock, and
    /// each after the first finds the token used — reuse, or the grace retry.
    public func rotate(
        _ presented: RefreshToken, to next: RefreshToken, refreshTTL: TimeInterval, reuseGrace: TimeInterval
    ) async throws
        -> RotationResult
    {
        let now = nowSeconds
        return try await leased(transaction: .readCommitted) { connection -> RotationResult in
            // Locks in one order everywhere — the session, then its token — as revocation and garbage
            // collection take them, so that concurrent work on one family queues instead of deadlocking.
            let sessionRows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions
                WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = \(presented.hash.bytes)) FOR UPDATE
                """, logger: logger)
            guard var session = try await PostgresRows.first(sessionRows, PostgresRows.session),
                let token = try await PostgresRows.first(
                    try await connection.query(
                        "SELECT session_id, used_at, revoked_at, expires_at FROM refresh_tokens WHERE hash = \(presented.hash.bytes) FOR UPDATE",
                        logger: logger),
                    { row in
                        let c = row.makeRandomAccess()
                        return (
                            try c["session_id"].decode(String.self), try c["used_at"].decode(Int64?.self), try c["revoked_at"].decode(Int64?.self),
                            try c["expires_at"].decode(Int64.self)
                        )
                    })
            else { return .rejected(.unknown) }
            let (_, usedAt, revokedAt, tokenExpiry) = token
            if session.revokedAt != nil { return .rejected(.sessionRevoked) }
            if session.expiresAt <= now { return .rejected(.sessionExpired) }

            var retry = false
            if usedAt != nil || revokedAt != nil {
                guard try await Self.isGraceRetry(presented, usedAt: usedAt, revokedAt: revokedAt, now: now, grace: reuseGrace, connection, logger)
                else {
                    try await Self.revoke(session.id, reason: "refresh token reuse", at: now, on: connection, logger: logger)
                    return .rejected(.reuseDetected(sessionID: session.id, user: session.user))
                }
                try await connection.query(
                    "UPDATE refresh_tokens SET revoked_at = \(now) WHERE parent_hash = \(presented.hash.bytes) AND revoked_at IS NULL",
                    logger: logger)
                retry = true
            } else {
                if tokenExpiry <= now { return .rejected(.expired) }
                try await connection.query("UPDATE refresh_tokens SET used_at = \(now) WHERE hash = \(presented.hash.bytes)", logger: logger)
            }

            let expiry = min(now + Int64(refreshTTL), session.expiresAt)
            try await connection.query(
                """
                INSERT INTO refresh_tokens (hash, session_id, parent_hash, created_at, expires_at)
                VALUES (\(next.hash.bytes), \(session.id), \(presented.hash.bytes), \(now), \(expiry))
                """, logger: logger)
            session.lastUsedAt = now
            session.idleExpiresAt = expiry
            try await connection.query(
                "UPDATE sessions SET last_used_at = \(now), idle_expires_at = \(expiry) WHERE id = \(session.id)", logger: logger)
            return retry
                ? .retried(session: session, refreshExpiresAt: Self.date(expiry))
                : .rotated(session: session, refreshExpiresAt: Self.date(expiry))
        }
    }

    /// The grace retry of SQLite's rotation: within the grace window, never for a revoked token, and
    /// only while none of the token's children has been used.
    private static func isGraceRetry(
        _ token: RefreshToken, usedAt: Int64?, revokedAt: Int64?, now: Int64, grace: TimeInterval, _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> Bool {
        guard grace > 0, revokedAt == nil, let usedAt, now - usedAt <= Int64(grace) else { return false }
        let used = try await PostgresRows.count(
            try await connection.query(
                "SELECT 1 FROM refresh_tokens WHERE parent_hash = \(token.hash.bytes) AND used_at IS NOT NULL", logger: logger))
        return used == 0
    }
}
