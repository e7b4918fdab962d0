import Foundation
public import Logging
public import PostgresNIO
public import TokenCore
public import TokenStore

/// Sessions and refresh tokens in PostgreSQL (`store = "postgresql://…"`, docs/fleet.md): the same
/// ``SessionStorage`` as SQLite, for many hosts that share one issuer and one database.
///
/// Concurrency comes from PostgreSQL rather than from one writer: a rotation locks its token's row
/// (`SELECT … FOR UPDATE`) inside one transaction, so of concurrent refreshes of one token — from
/// any host — one wins and the others, once the lock is theirs, find it used. Run ``client`` as a
/// service (it is one of swift-service-lifecycle's) for as long as the store is used.
public struct PostgresSessionStore: SessionStorage {
    /// The connection pool, which must be running.
    public let client: PostgresClient
    let clock: any WallClock
    let logger: Logger
    /// How long an operation may wait for a connection before the store is reported unavailable
    /// (see `leased`): long enough for a busy pool, short enough that a client of a dead server gets
    /// its 503 promptly.
    public let leaseTimeout: Duration
    /// How long one operation may hold its connection before the store closes it: past every
    /// server-side limit (`lock_timeout` 5 s, `statement_timeout` 15 s a statement, a rotation's few
    /// statements), so that only a connection that stopped answering reaches it.
    public let operationDeadline: TimeAmount
    /// The operations running on each connection, told when it closes under them.
    let closedConnections = ClosedConnectionWatch()

    /// Wraps a running client. Call ``migrate()`` once before use.
    public init(
        client: PostgresClient, clock: any WallClock, logger: Logger, leaseTimeout: Duration = .seconds(3),
        operationDeadline: TimeAmount = .seconds(30)
    ) {
        self.operationDeadline = operationDeadline
        self.client = client
        self.clock = clock
        self.logger = logger
        self.leaseTimeout = leaseTimeout
    }

    /// Brings the schema up to date (every host does at start; they serialise on a lock). Like every
    /// operation, it gives up with ``PostgresUnavailable`` when no connection comes within
    /// ``leaseTimeout``: a daemon started while the server is down says so and exits, and its service
    /// manager starts it again, rather than hanging in start-up.
    /// - Returns: the versions applied now.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await leased { connection in try await PostgresMigrations.migrate(on: connection, logger: logger) }
    }

    public func ping() async throws {
        try await leased { connection in _ = try await connection.query("SELECT 1", logger: logger) }
    }

    /// The pool is closed by ending ``client``'s `run()`; nothing to do here.
    public func close() async throws {}

    var nowSeconds: Int64 { Int64(clock.now.timeIntervalSince1970) }

    static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Inserts a session row on `connection`.
    static func insert(_ session: SessionRecord, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO sessions (id, "user", uid, auth_method, client_id, scope, peer, peer_uid, peer_pid, created_at, last_used_at,
                expires_at, idle_expires_at, revoked_at, revoke_reason, parent_id)
            VALUES (\(session.id), \(session.user), \(Int64(session.uid)), \(session.authMethod.rawValue), \(session.clientID),
                \(session.scope), \(session.peer), \(session.peerUID.map { Int64($0) }), \(session.peerPID), \(session.createdAt),
                \(session.lastUsedAt), \(session.expiresAt), \(session.idleExpiresAt), \(session.revokedAt), \(session.revokeReason),
                \(session.parentID))
            """, logger: logger)
    }

    /// Revokes a session and the sessions started from it (one level, as in SQLite).
    static func revoke(_ id: String, reason: String, at now: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "UPDATE sessions SET revoked_at = \(now), revoke_reason = \(reason) WHERE id = \(id) AND revoked_at IS NULL", logger: logger)
        try await connection.query(
            """
            UPDATE sessions SET revoked_at = \(now), revoke_reason = \("browser session ended: \(reason)")
            WHERE parent_id = \(id) AND revoked_at IS NULL
            """, logger: logger)
    }
}
