import Foundation
import GRDB
public import TokenCore

extension SessionStore {
    /// Starts a browser (single-sign-on) session: a session row without refresh tokens, found again by
    /// the hash of its cookie. It lives `maxAge` from the login, however often it is used.
    public func createBrowserSession(_ new: NewSession, cookie: BrowserSessionSecret) async throws -> SessionRecord {
        let session = new.startingBrowserSession(at: nowSeconds)
        try await groupCommit.write { db in
            try session.insert(db)
            try db.execute(sql: "INSERT INTO browser_cookies (hash, session_id) VALUES (?, ?)", arguments: [cookie.hash, session.id])
        }
        return session
    }

    /// The live browser session a cookie names; nil when unknown, revoked or expired.
    public func browserSession(cookie: BrowserSessionSecret) async throws -> SessionRecord? {
        let now = nowSeconds
        return try await writer.read { db in
            try SessionRecord.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT sessions.* FROM sessions JOIN browser_cookies ON browser_cookies.session_id = sessions.id
                        WHERE browser_cookies.hash = ? AND revoked_at IS NULL AND expires_at > ? AND idle_expires_at > ?
                        """),
                arguments: [cookie.hash, now, now])
        }
    }

    /// Records an authorization code (its hash) for a later exchange.
    public func storeCode(_ record: AuthorizationCodeRecord) async throws {
        try await writer.write { db in try record.insert(db) }
    }

    /// An authorization code's record, used or not, while it is kept.
    public func code(_ code: AuthorizationCode) async throws -> AuthorizationCodeRecord? {
        try await writer.read { db in try AuthorizationCodeRecord.fetchOne(db, key: code.hash) }
    }

    /// Exchanges a code, in one transaction: marks it used and starts `new` with its first refresh
    /// token, or — when it was already used, whether long ago or by a concurrent request a moment
    /// earlier — revokes the session the first exchange started. Of any number of concurrent
    /// exchanges of one code, exactly one is redeemed, and every other one revokes its session.
    public func redeem(_ code: AuthorizationCode, starting new: NewSession, token: RefreshToken) async throws -> CodeRedemption {
        let now = nowSeconds
        let (session, tokenExpiry) = new.startingWithToken(at: now)
        return try await writer.write { db -> CodeRedemption in
            try db.execute(
                sql: "UPDATE authorization_codes SET used_at = ?, session_id = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?",
                arguments: [now, session.id, code.hash, now])
            guard db.changesCount == 1 else {
                guard let record = try AuthorizationCodeRecord.fetchOne(db, key: code.hash), record.usedAt != nil else { return .unknown }
                if let id = record.sessionID, var issued = try SessionRecord.fetchOne(db, key: id), issued.revokedAt == nil {
                    try Self.revoke(&issued, reason: "authorization code replayed", at: now, db)
                }
                return .replayed
            }
            // The browser session may have ended (sign-out) since the caller looked: checked again here,
            // in the transaction, so that no session outlives the one it came from.
            if let parent = new.parentID {
                let live =
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ? AND idle_expires_at > ?",
                        arguments: [parent, now, now]) ?? false
                guard live else { return .unknown }
            }
            try session.insert(db)
            try RefreshTokenRecord(
                hash: token.hash, sessionID: session.id, parentHash: nil, createdAt: now, expiresAt: tokenExpiry, usedAt: nil, revokedAt: nil
            ).insert(db)
            return .redeemed(session: session, refreshExpiresAt: Self.date(tokenExpiry))
        }
    }
}
