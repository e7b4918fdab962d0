import Foundation
import PostgresNIO
public import TokenCore
public import TokenStore

extension PostgresSessionStore {
    public func createBrowserSession(_ new: NewSession, cookie: BrowserSessionSecret) async throws -> SessionRecord {
        let session = new.startingBrowserSession(at: nowSeconds)
        try await leased(transaction: .readCommitted) { connection in
            try await Self.insert(session, on: connection, logger: logger)
            try await connection.query(
                "INSERT INTO browser_cookies (hash, session_id) VALUES (\(cookie.hash.bytes), \(session.id))", logger: logger)
        }
        return session
    }

    public func browserSession(cookie: BrowserSessionSecret) async throws -> SessionRecord? {
        let now = nowSeconds
        return try await leased { connection in
            try await PostgresRows.first(
                try await connection.query(
                    """
                    SELECT \(unescaped: PostgresRows.sessionColumns) FROM sessions
                    WHERE id = (SELECT session_id FROM browser_cookies WHERE hash = \(cookie.hash.bytes))
                        AND revoked_at IS NULL AND expires_at > \(now) AND idle_expires_at > \(now)
                    """, logger: logger), PostgresRows.session)
        }
    }

    public func storeCode(_ record: AuthorizationCodeRecord) async throws {
        _ = try await leased { connection in
            try await connection.query(
                """
                INSERT INTO authorization_codes (hash, client_id, redirect_uri, code_challenge, nonce, scope, browser_session_id, created_at,
                    expires_at, used_at, session_id)
                VALUES (\(record.hash.bytes), \(record.clientID), \(record.redirectURI), \(record.codeChallenge), \(record.nonce), \(record.scope),
                    \(record.browserSessionID), \(record.createdAt), \(record.expiresAt), \(record.usedAt), \(record.sessionID))
                """, logger: logger)
        }
    }

    public func code(_ code: AuthorizationCode) async throws -> AuthorizationCodeRecord? {
        try await leased { connection in
            try await PostgresRows.first(
                try await connection.query(
                    "SELECT \(unescaped: PostgresRows.codeColumns) FROM authorization_codes WHERE hash = \(code.hash.bytes)", logger: logger),
                PostgresRows.code)
        }
    }

    /// As SQLite's redemption: the conditional update decides, so of concurrent exchanges from any
    /// host exactly one marks the code used; every other one revokes the session that one started.
    public func redeem(_ code: AuthorizationCode, starting new: NewSession, token: RefreshToken) async throws -> CodeRedemption {
        let now = nowSeconds
        let (session, tokenExpiry) = new.startingWithToken(at: now)
        return try await leased(transaction: .readCommitted) { connection -> CodeRedemption in
            // The browser session first (the lock order of revocation and garbage collection): it may have
            // ended since the caller looked, and it must not end while this exchange starts its child.
            var parentLive = true
            if let parent = new.parentID {
                parentLive =
                    try await PostgresRows.count(
                        try await connection.query(
                            """
                            SELECT 1 FROM sessions WHERE id = \(parent) AND revoked_at IS NULL AND expires_at > \(now) AND idle_expires_at > \(now)
                            FOR SHARE
                            """, logger: logger)) > 0
            }
            let won = try await PostgresRows.count(
                try await connection.query(
                    """
                    UPDATE authorization_codes SET used_at = \(now), session_id = \(session.id)
                    WHERE hash = \(code.hash.bytes) AND used_at IS NULL AND expires_at > \(now) RETURNING 1
                    """, logger: logger))
            guard won == 1 else {
                let rows = try await connection.query(
                    "SELECT used_at, session_id FROM authorization_codes WHERE hash = \(code.hash.bytes)", logger: logger)
                let found = try await PostgresRows.first(rows) { row in
                    let c = row.makeRandomAccess()
                    return (try c["used_at"].decode(Int64?.self), try c["session_id"].decode(String?.self))
                }
                guard let (usedAt, issued) = found, usedAt != nil
                else { return .unknown }
                if let issued {
                    try await Self.revoke(issued, reason: "authorization code replayed", at: now, on: connection, logger: logger)
                }
                return .replayed
            }
            guard parentLive else { return .unknown }
            try await Self.insert(session, on: connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO refresh_tokens (hash, session_id, created_at, expires_at)
                VALUES (\(token.hash.bytes), \(session.id), \(now), \(tokenExpiry))
                """, logger: logger)
            return .redeemed(session: session, refreshExpiresAt: Self.date(tokenExpiry))
        }
    }
}
