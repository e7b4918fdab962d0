import Foundation
public import GRDB
public import TokenCore

/// Sessions and refresh tokens in SQLite (GRDB), one intention-named operation per method, as in
/// GRDB's `AppDatabase` demo. Every write runs on GRDB's serial writer queue, never on an event loop, and
/// that serialisation is what makes ``rotate(_:to:refreshTTL:reuseGrace:)`` have exactly one winner.
/// The two hot writes — rotation and session creation — go through ``GroupCommit``, which lets
/// concurrent ones share a transaction (each in its own savepoint) and so share one fsync.
public struct SessionStore: Sendable {
    /// How hard SQLite syncs a commit to disk.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous=FULL`: a commit (an acknowledged rotation) survives power loss. The default.
        case full
        /// `synchronous=NORMAL`: survives a crash of the daemon, may lose the last commits on power loss.
        case normal
    }

    let writer: any DatabaseWriter
    let clock: any WallClock
    /// Rotations and new sessions share commits (and fsyncs) when they arrive together.
    let groupCommit: GroupCommit
    /// Sessions known active, so bearer requests rarely read the database (exact: see the type).
    let liveness = SessionLiveness()
    /// Keeps every other process out of a database file while this store has it open (see the type).
    let lock: StoreLock?

    /// Wraps an open database (tests use an in-memory `DatabaseQueue`), migrating it first.
    public init(writer: any DatabaseWriter, clock: any WallClock) throws {
        try self.init(writer: writer, clock: clock, lock: nil)
    }

    private init(writer: any DatabaseWriter, clock: any WallClock, lock: StoreLock?) throws {
        try StoreMigrations.migrator.migrate(writer)
        self.writer = writer
        self.clock = clock
        self.lock = lock
        self.groupCommit = GroupCommit(writer: writer)
        writer.add(transactionObserver: liveness.makeObserver(), extent: .databaseLifetime)
    }

    /// Opens (creating if needed) the database at `path`, in WAL mode, file mode 0600, for this process
    /// alone: ``StoreError/inUse(path:holder:)`` while another process has it open.
    public static func open(path: String, durability: Durability = .full, clock: any WallClock) throws -> SessionStore {
        let lock = try StoreLock.acquire(database: path)
        // SQLite creates the -wal and -shm files with the main file's mode, so fixing it first is enough.
        try PrivateFiles.ensurePrivateFile(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "pamtoken"
        configuration.prepareDatabase { db in
            // Keeps deleted rows (token hashes) from lingering in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        // GRDB switches the writer to synchronous=NORMAL when it enables WAL, after prepareDatabase has run;
        // set the durability we want afterwards, on the one writer connection.
        try pool.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        }
        return try SessionStore(writer: pool, clock: clock, lock: lock)
    }

    /// The current `PRAGMA synchronous` of the writer connection (2 = FULL, 1 = NORMAL).
    public func synchronousLevel() async throws -> Int {
        try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// A cheap round trip to the database, for health checks.
    public func ping() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    var nowSeconds: Int64 { Int64(clock.now.timeIntervalSince1970) }
}

/// Why the store failed. Database errors are wrapped with the operation so a log line says what was
/// being done; SQL arguments (token hashes) are never included.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// Another process has the database open: a second daemon on the same state directory, or
    /// `--migrate-store` while the daemon runs. `holder` is its pid, when it could be read.
    case inUse(path: String, holder: Int32?)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the session database \(path): \(reason)"
        case .inUse(let path, let holder):
            "the session database \(path) is in use by \(holder.map { "process \($0)" } ?? "another process")"
                + " (a pamtokend on the same state directory?); stop it first"
        }
    }
}

extension SessionStore {
    /// Closes the database: checkpoints the WAL and releases the connections. Called at shutdown.
    public func close() throws {
        if let pool = writer as? DatabasePool {
            try pool.close()
        } else if let queue = writer as? DatabaseQueue {
            try queue.close()
        }
        // Only once closed: a pool that failed to close may still write. The lock then goes when the
        // store does (or the process).
        lock?.release()
    }
}

extension SessionStore: SessionStorage {}
