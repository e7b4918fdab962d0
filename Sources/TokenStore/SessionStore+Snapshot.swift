import Foundation
import GRDB

extension SessionStore {
    public func snapshot() async throws -> StoreSnapshot {
        try await writer.read { db in
            StoreSnapshot(
                sessions: try SessionRecord.fetchAll(db, sql: "SELECT * FROM sessions ORDER BY created_at, id"),
                refreshTokens: try RefreshTokenRecord.fetchAll(db, sql: "SELECT * FROM refresh_tokens ORDER BY created_at"),
                browserCookies: try Row.fetchAll(db, sql: "SELECT hash, session_id FROM browser_cookies").map {
                    BrowserCookieRecord(hash: $0["hash"], sessionID: $0["session_id"])
                },
                codes: try AuthorizationCodeRecord.fetchAll(db, sql: "SELECT * FROM authorization_codes"))
        }
    }

    public func restore(_ snapshot: StoreSnapshot) async throws -> RestoreReport {
        try await writer.write { db in
            var sessions = 0
            for session in snapshot.sessions {
                try session.insert(db, onConflict: .ignore)
                sessions += db.changesCount
            }
            var tokens = 0
            for token in snapshot.refreshTokens {
                try token.insert(db, onConflict: .ignore)
                tokens += db.changesCount
            }
            var cookies = 0
            for cookie in snapshot.browserCookies {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO browser_cookies (hash, session_id) VALUES (?, ?)", arguments: [cookie.hash, cookie.sessionID])
                cookies += db.changesCount
            }
            var codes = 0
            for code in snapshot.codes {
                try code.insert(db, onConflict: .ignore)
                codes += db.changesCount
            }
            return RestoreReport(
                sessionsAdded: sessions, sessionsPresent: snapshot.sessions.count - sessions, refreshTokensAdded: tokens,
                browserCookiesAdded: cookies, codesAdded: codes)
        }
    }
}
