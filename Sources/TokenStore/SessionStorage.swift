public import Foundation
public import TokenCore

/// Where sessions, refresh tokens, browser cookies and authorization codes live: the one interface of
/// the daemon's state, whatever holds it — SQLite on one host (``SessionStore``, the default) or
/// PostgreSQL for a fleet of hosts sharing one issuer (`PostgresStore`).
///
/// Every implementation keeps the same promises, proven by one behavioural suite run against each
/// (Tests/TokenStoreTests): only hashes of secrets are stored; of any number of concurrent rotations of
/// one refresh token exactly one wins, wherever they arrive; reuse of a used token revokes its family
/// (but for the grace retry); a redeemed code is redeemed once; revoking a browser session revokes the
/// sessions started from it. Failures are thrown as they come: the authority turns them into 503s.
public protocol SessionStorage: Sendable {
    /// Starts a session with its first refresh token, atomically.
    func createSession(_ new: NewSession, token: RefreshToken) async throws -> (session: SessionRecord, refreshExpiresAt: Date)
    /// Exchanges `presented` for `next` (docs/api.md#refresh-token-grant): exactly one winner, reuse revokes the family.
    func rotate(
        _ presented: RefreshToken, to next: RefreshToken, refreshTTL: TimeInterval, reuseGrace: TimeInterval
    ) async throws
        -> RotationResult
    /// The session a refresh token belongs to, whatever its state.
    func session(for token: RefreshToken) async throws -> SessionRecord?
    /// A session by id, whatever its state.
    func session(id: String) async throws -> SessionRecord?
    /// Whether the session exists and is usable now (the hot path of every Bearer request).
    func isSessionActive(id: String) async throws -> Bool
    /// Active sessions, newest first: a user's own, or everyone's when `user` is nil.
    func activeSessions(user: String?) async throws -> [SessionRecord]
    /// Revokes one session (and the sessions started from it). False when there was no such active session.
    @discardableResult
    func revokeSession(id: String, reason: String) async throws -> Bool
    /// Revokes the session `token` belongs to; returns it, nil when the token is unknown.
    @discardableResult
    func revokeSession(containing token: RefreshToken, reason: String) async throws -> SessionRecord?
    /// Revokes every active session of a user; returns how many.
    @discardableResult
    func revokeSessions(user: String, reason: String) async throws -> Int
    /// Deletes what can never be used again, in bounded batches; returns the number of rows deleted.
    @discardableResult
    func collectGarbage(batchSize: Int) async throws -> Int
    /// Counts for metrics: active sessions and stored refresh tokens.
    func counts() async throws -> (activeSessions: Int, refreshTokens: Int)
    /// A cheap round trip, for health checks.
    func ping() async throws

    /// Starts a browser (single-sign-on) session, found again by the hash of its cookie.
    func createBrowserSession(_ new: NewSession, cookie: BrowserSessionSecret) async throws -> SessionRecord
    /// The live browser session a cookie names.
    func browserSession(cookie: BrowserSessionSecret) async throws -> SessionRecord?
    /// Records an authorization code (its hash).
    func storeCode(_ record: AuthorizationCodeRecord) async throws
    /// An authorization code's record, used or not, while it is kept.
    func code(_ code: AuthorizationCode) async throws -> AuthorizationCodeRecord?
    /// Exchanges a code and starts `new`, atomically; a second exchange revokes what the first started.
    func redeem(_ code: AuthorizationCode, starting new: NewSession, token: RefreshToken) async throws -> CodeRedemption

    /// Every row, for copying the store elsewhere.
    func snapshot() async throws -> StoreSnapshot
    /// Adds the rows of `snapshot` that are not there yet, in one transaction; what is there stays.
    func restore(_ snapshot: StoreSnapshot) async throws -> RestoreReport

    /// Releases the store's connections.
    func close() async throws
}

extension SessionStorage {
    /// ``collectGarbage(batchSize:)`` with batches of 500 rows.
    @discardableResult
    public func collectGarbage() async throws -> Int { try await collectGarbage(batchSize: 500) }
}
