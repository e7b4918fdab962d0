import Logging
import PostgresNIO

/// The PostgreSQL schema, as numbered migrations applied in order, each once, recorded in
/// `pamtoken_schema` — versioned like the SQLite ones (TokenStore's `StoreMigrations`), never edited
/// once shipped, only followed. Every host of a fleet runs them at start; a transaction-scoped advisory
/// lock makes hosts starting together apply each exactly once.
enum PostgresMigrations {
    /// An arbitrary constant naming pamtoken's migration lock among the database's advisory locks.
    static let lockKey: Int64 = 0x7061_6D74_6F6B_656E

    static let steps: [(version: Int, name: String, sql: [String])] = [
        (
            1, "sessions, refresh tokens, browser cookies and authorization codes",
            [
                """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    "user" TEXT NOT NULL,
                    uid BIGINT NOT NULL,
                    auth_method TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    scope TEXT,
                    peer TEXT,
                    peer_uid BIGINT,
                    peer_pid INTEGER,
                    created_at BIGINT NOT NULL,
                    last_used_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    idle_expires_at BIGINT NOT NULL,
                    revoked_at BIGINT,
                    revoke_reason TEXT,
                    parent_id TEXT
                )
                """,
                #"CREATE INDEX sessions_by_user ON sessions ("user", created_at)"#,
                "CREATE INDEX sessions_by_end ON sessions (LEAST(expires_at, idle_expires_at))",
                "CREATE INDEX sessions_by_parent ON sessions (parent_id) WHERE parent_id IS NOT NULL",
                """
                CREATE TABLE refresh_tokens (
                    hash BYTEA PRIMARY KEY CHECK (length(hash) = 32),
                    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    parent_hash BYTEA,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    used_at BIGINT,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id)",
                "CREATE INDEX refresh_tokens_by_parent ON refresh_tokens (parent_hash) WHERE parent_hash IS NOT NULL",
                "CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at)",
                """
                CREATE TABLE browser_cookies (
                    hash BYTEA PRIMARY KEY CHECK (length(hash) = 32),
                    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
                )
                """,
                "CREATE INDEX browser_cookies_by_session ON browser_cookies (session_id)",
                """
                CREATE TABLE authorization_codes (
                    hash BYTEA PRIMARY KEY CHECK (length(hash) = 32),
                    client_id TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL,
                    code_challenge TEXT NOT NULL,
                    nonce TEXT,
                    scope TEXT NOT NULL,
                    browser_session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    used_at BIGINT,
                    session_id TEXT
                )
                """,
                "CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at)",
            ]
        ),
        (
            2, "the fleet's public signing keys",
            [
                """
                CREATE TABLE public_keys (
                    kid TEXT PRIMARY KEY,
                    alg TEXT NOT NULL,
                    jwk TEXT NOT NULL,
                    host TEXT NOT NULL,
                    published_at BIGINT NOT NULL,
                    not_after BIGINT NOT NULL
                )
                """,
                "CREATE INDEX public_keys_by_end ON public_keys (not_after)",
            ]
        ),
    ]

    /// Brings the database up to date; returns the versions applied now.
    @discardableResult
    static func migrate(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await PostgresSessionStore.transaction(.readCommitted, on: connection, logger: logger) { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            // Created only when missing: a role that may read and write rows but not create tables runs
            // once the schema is there.
            let exists = try await connection.query("SELECT to_regclass('pamtoken_schema') IS NOT NULL", logger: logger)
            if try await PostgresRows.first(exists, { try $0.decode(Bool.self) }) != true {
                _ = try await connection.query(
                    "CREATE TABLE pamtoken_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: logger)
            }
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM pamtoken_schema", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            // A host older than the schema would write rows a newer one does not expect: it stops here.
            let known = steps.map(\.version).max() ?? 0
            if let newest = applied.max(), newest > known {
                throw SchemaTooNew(found: newest, known: known)
            }
            var now: [Int] = []
            for step in steps where !applied.contains(step.version) {
                for statement in step.sql {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await connection.query(
                    "INSERT INTO pamtoken_schema (version, name) VALUES (\(step.version), \(step.name))", logger: logger)
                now.append(step.version)
            }
            return now
        }
    }
}

/// The database's schema is newer than this pamtokend: another host of the fleet was upgraded first.
struct SchemaTooNew: Error, CustomStringConvertible {
    let found: Int
    let known: Int

    var description: String {
        "the database's schema is version \(found), newer than this pamtokend knows (\(known)): upgrade this host"
    }
}
