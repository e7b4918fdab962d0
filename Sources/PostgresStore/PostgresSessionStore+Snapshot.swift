import Foundation
import PostgresNIO
import TokenCore
public import TokenStore

extension PostgresSessionStore {
    public func snapshot() async throws -> StoreSnapshot {
        try await leased(transaction: .snapshot) { connection in
            let sessions = try await PostgresRows.all(
                try await connection.query(
                    "SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions ORDER BY created_at, id", logger: logger),
                PostgresRows.session)
            let tokens = try await PostgresRows.all(
                try await connection.query(
                    "SELECT hash, session_id, parent_hash, created_at, expires_at, used_at, revoked_at FROM refresh_tokens ORDER BY created_at",
                    logger: logger)
            ) { row in
                let c = row.makeRandomAccess()
                return RefreshTokenRecord(
                    hash: Data(try c["hash"].decode(ByteBuffer.self).readableBytesView), sessionID: try c["session_id"].decode(String.self),
                    parentHash: try c["parent_hash"].decode(ByteBuffer?.self).map { Data($0.readableBytesView) },
                    createdAt: try c["created_at"].decode(Int64.self), expiresAt: try c["expires_at"].decode(Int64.self),
                    usedAt: try c["used_at"].decode(Int64?.self), revokedAt: try c["revoked_at"].decode(Int64?.self))
            }
            let cookies = try await PostgresRows.all(
                try await connection.query("SELECT hash, session_id FROM browser_cookies", logger: logger)
            ) { row in
                let c = row.makeRandomAccess()
                return BrowserCookieRecord(
                    hash: Data(try c["hash"].decode(ByteBuffer.self).readableBytesView), sessionID: try c["session_id"].decode(String.self))
            }
            let codes = try await PostgresRows.all(
                try await connection.query("SELECT \(unescaped: PostgresRows.codeColumns) FROM authorization_codes", logger: logger),
                PostgresRows.code)
            return StoreSnapshot(sessions: sessions, refreshTokens: tokens, browserCookies: cookies, codes: codes)
        }
    }

    public func restore(_ snapshot: StoreSnapshot) async throws -> RestoreReport {
        try await leased(transaction: .readCommitted) { connection in
            var sessions = 0
            for session in snapshot.sessions {
                sessions += try await PostgresRows.count(
                    try await connection.query(
                        """
                        INSERT INTO sessions (id, "user", uid, auth_method, client_id, scope, peer, peer_uid, peer_pid, created_at,
                            last_used_at, expires_at, idle_expires_at, revoked_at, revoke_reason, parent_id)
                        VALUES (\(session.id), \(session.user), \(Int64(session.uid)), \(session.authMethod.rawValue), \(session.clientID),
                            \(session.scope), \(session.peer), \(session.peerUID.map { Int64($0) }), \(session.peerPID), \(session.createdAt),
                            \(session.lastUsedAt), \(session.expiresAt), \(session.idleExpiresAt), \(session.revokedAt), \(session.revokeReason),
                            \(session.parentID))
                        ON CONFLICT (id) DO NOTHING RETURNING 1
                        """, logger: logger))
            }
            var tokens = 0
            for token in snapshot.refreshTokens {
                tokens += try await PostgresRows.count(
                    try await connection.query(
                        """
                        INSERT INTO refresh_tokens (hash, session_id, parent_hash, created_at, expires_at, used_at, revoked_at)
                        VALUES (\(token.hash.bytes), \(token.sessionID), \(token.parentHash?.bytes), \(token.createdAt), \(token.expiresAt),
                            \(token.usedAt), \(token.revokedAt))
                        ON CONFLICT (hash) DO NOTHING RETURNING 1
                        """, logger: logger))
            }
            var cookies = 0
            for cookie in snapshot.browserCookies {
                cookies += try await PostgresRows.count(
                    try await connection.query(
                        """
                        INSERT INTO browser_cookies (hash, session_id) VALUES (\(cookie.hash.bytes), \(cookie.sessionID))
                        ON CONFLICT (hash) DO NOTHING RETURNING 1
                        """, logger: logger))
            }
            var codes = 0
            for code in snapshot.codes {
                codes += try await PostgresRows.count(
                    try await connection.query(
                        """
                        INSERT INTO authorization_codes (hash, client_id, redirect_uri, code_challenge, nonce, scope, browser_session_id,
                            created_at, expires_at, used_at, session_id)
                        VALUES (\(code.hash.bytes), \(code.clientID), \(code.redirectURI), \(code.codeChallenge), \(code.nonce), \(code.scope),
                            \(code.browserSessionID), \(code.createdAt), \(code.expiresAt), \(code.usedAt), \(code.sessionID))
                        ON CONFLICT (hash) DO NOTHING RETURNING 1
                        """, logger: logger))
            }
            return RestoreReport(
                sessionsAdded: sessions, sessionsPresent: snapshot.sessions.count - sessions, refreshTokensAdded: tokens,
                browserCookiesAdded: cookies, codesAdded: codes)
        }
    }
}
