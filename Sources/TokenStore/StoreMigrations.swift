import GRDB

/// The schema, as named migrations (GRDB's `DatabaseMigrator`): a database is brought up to date at
/// open, and a migration once shipped is never edited, only followed by another.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions and refresh tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY NOT NULL,
                        user TEXT NOT NULL,
                        uid INTEGER NOT NULL,
                        auth_method TEXT NOT NULL,
                        client_id TEXT NOT NULL,
                        scope TEXT,
                        peer TEXT,
                        peer_uid INTEGER,
                        peer_pid INTEGER,
                        created_at INTEGER NOT NULL,
                        last_used_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        idle_expires_at INTEGER NOT NULL,
                        revoked_at INTEGER,
                        revoke_reason TEXT
                    ) STRICT;
                    CREATE INDEX sessions_by_user ON sessions(user, created_at);
                    CREATE INDEX sessions_by_end ON sessions(min(expires_at, idle_expires_at));

                    CREATE TABLE refresh_tokens (
                        hash BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
                        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                        parent_hash BLOB,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER,
                        revoked_at INTEGER
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX refresh_tokens_by_session ON refresh_tokens(session_id);
                    CREATE INDEX refresh_tokens_by_parent ON refresh_tokens(parent_hash) WHERE parent_hash IS NOT NULL;
                    CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);
                    """)
        }
        migrator.registerMigration("v2: browser sessions and authorization codes") { db in
            try db.execute(
                sql: """
                    ALTER TABLE sessions ADD COLUMN parent_id TEXT;
                    CREATE INDEX sessions_by_parent ON sessions(parent_id) WHERE parent_id IS NOT NULL;

                    CREATE TABLE browser_cookies (
                        hash BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
                        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX browser_cookies_by_session ON browser_cookies(session_id);

                    CREATE TABLE authorization_codes (
                        hash BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
                        client_id TEXT NOT NULL,
                        redirect_uri TEXT NOT NULL,
                        code_challenge TEXT NOT NULL,
                        nonce TEXT,
                        scope TEXT NOT NULL,
                        browser_session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        used_at INTEGER,
                        session_id TEXT
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX authorization_codes_by_expiry ON authorization_codes(expires_at);
                    """)
        }
        return migrator
    }
}
