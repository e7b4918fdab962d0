import Foundation
import PostgresNIO
public import TokenCore
public import TokenStore

extension PostgresSessionStore {
    public func session(for token: RefreshToken) async throws -> SessionRecord? {
        try await leased { connection in
            try await PostgresRows.first(
                try await connection.query(
                    """
                    SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions
                    WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = \(token.hash.bytes))
                    """, logger: logger), PostgresRows.session)
        }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await leased { connection in
            try await PostgresRows.first(
                try await connection.query("SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions WHERE id = \(id)", logger: logger),
                PostgresRows.session)
        }
    }

    public func isSessionActive(id: String) async throws -> Bool {
        let now = nowSeconds
        return try await leased { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM sessions WHERE id = \(id) AND revoked_at IS NULL AND expires_at > \(now) AND idle_expires_at > \(now)",
                logger: logger)
            return try await PostgresRows.count(rows) > 0
        }
    }

    public func activeSessions(user: String?) async throws -> [SessionRecord] {
        let now = nowSeconds
        return try await leased { connection in
            let rows =
                if let user {
                    try await connection.query(
                        """
                        SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions
                        WHERE revoked_at IS NULL AND expires_at > \(now) AND idle_expires_at > \(now) AND "user" = \(user)
                        ORDER BY created_at DESC, id
                        """, logger: logger)
                } else {
                    try await connection.query(
                        """
                        SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions
                        WHERE revoked_at IS NULL AND expires_at > \(now) AND idle_expires_at > \(now)
                        ORDER BY created_at DESC, id
                        """, logger: logger)
                }
            return try await PostgresRows.all(rows, PostgresRows.session)
        }
    }

    @discardableResult
    public func revokeSession(id: String, reason: String) async throws -> Bool {
        let now = nowSeconds
        return try await leased(transaction: .readCommitted) { connection in
            let live = try await PostgresRows.count(
                try await connection.query("SELECT 1 FROM sessions WHERE id = \(id) AND revoked_at IS NULL FOR UPDATE", logger: logger))
            guard live > 0 else { return false }
            try await Self.revoke(id, reason: reason, at: now, on: connection, logger: logger)
            return true
        }
    }

    @discardableResult
    public func revokeSession(containing token: RefreshToken, reason: String) async throws -> SessionRecord? {
        let now = nowSeconds
        return try await leased(transaction: .readCommitted) { connection -> SessionRecord? in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions
                WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = \(token.hash.bytes)) FOR UPDATE
                """, logger: logger)
            guard var session = try await PostgresRows.first(rows, PostgresRows.session) else { return nil }
            if session.revokedAt == nil {
                try await Self.revoke(session.id, reason: reason, at: now, on: connection, logger: logger)
                session.revokedAt = now
                session.revokeReason = reason
            }
            return session
        }
    }

    @discardableResult
    public func revokeSessions(user: String, reason: String) async throws -> Int {
        let now = nowSeconds
        return try await leased { connection in
            try await PostgresRows.count(
                try await connection.query(
                    """
                    UPDATE sessions SET revoked_at = \(now), revoke_reason = \(reason) WHERE "user" = \(user) AND revoked_at IS NULL RETURNING 1
                    """, logger: logger))
        }
    }

    @discardableResult
    public func collectGarbage(batchSize: Int) async throws -> Int {
        let now = nowSeconds
        let limit = Int64(batchSize)
        let statements: [PostgresQuery] = [
            """
            DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE LEAST(expires_at, idle_expires_at) <= \(now) LIMIT \(limit))
            RETURNING 1
            """,
            """
            DELETE FROM refresh_tokens WHERE hash IN (SELECT hash FROM refresh_tokens WHERE expires_at <= \(now) LIMIT \(limit)) RETURNING 1
            """,
            // Kept ten minutes past their expiry, so that a late replay still revokes what the code gave.
            """
            DELETE FROM authorization_codes
            WHERE hash IN (SELECT hash FROM authorization_codes WHERE expires_at + 600 <= \(now) LIMIT \(limit)) RETURNING 1
            """,
        ]
        var total = 0
        for statement in statements {
            while true {
                // One host of the fleet collects at a time: the others skip the round rather than race it.
                let deleted = try await leased(transaction: .readCommitted) { connection -> Int in
                    let alone = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.collectorLock))", logger: logger)
                    guard try await PostgresRows.first(alone, { try $0.decode(Bool.self) }) == true else { return -1 }
                    return try await PostgresRows.count(try await connection.query(statement, logger: logger))
                }
                if deleted < 0 { return total }
                total += deleted
                if deleted < batchSize { break }
            }
        }
        return total
    }

    /// The advisory lock of garbage collection, apart from the migrations' own.
    static let collectorLock: Int64 = 0x7061_6D74_6F6B_6763

    public func counts() async throws -> (activeSessions: Int, refreshTokens: Int) {
        let now = nowSeconds
        return try await leased { connection in
            let rows = try await connection.query(
                """
                SELECT (SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > \(now) AND idle_expires_at > \(now)),
                       (SELECT count(*) FROM refresh_tokens)
                """, logger: logger)
            let counts =
                try await PostgresRows.first(rows) { row in
                    let columns = row.makeRandomAccess()
                    return (try columns[0].decode(Int64.self), try columns[1].decode(Int64.self))
                } ?? (Int64(0), Int64(0))
            return (Int(counts.0), Int(counts.1))
        }
    }
}
