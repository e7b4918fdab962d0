import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStore
import TestSupport
import TokenCore
import TokenStore

/// The stores the behavioural suite runs against: SQLite always, PostgreSQL when the tests run with a
/// server (`scripts/with-postgres`, which `make test` uses, sets `PAMTOKEN_TEST_POSTGRES`).
enum StoreBackend: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite, postgres

    /// The server's URL (a database the fixture may create databases next to), or nil.
    static let postgresURL = ProcessInfo.processInfo.environment["PAMTOKEN_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// SQLite, and PostgreSQL when a server is given.
    static var available: [StoreBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var description: String { rawValue }
}

/// A store on a fresh database — a file in a temp directory, or a new PostgreSQL database — with a
/// manual clock.
struct StoreFixture {
    let directory: String
    let clock: ManualClock
    let store: any SessionStorage
    /// The SQLite store, for the tests of what only SQLite has (its file, its pragmas).
    let sqlite: SessionStore?
    private let running: Task<Void, Never>?

    static let refreshTTL: TimeInterval = 7 * 86400
    static let maxAge: TimeInterval = 30 * 86400

    private init(directory: String, clock: ManualClock, store: any SessionStorage, sqlite: SessionStore?, running: Task<Void, Never>?) {
        self.directory = directory
        self.clock = clock
        self.store = store
        self.sqlite = sqlite
        self.running = running
    }

    /// A SQLite store.
    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clock = ManualClock()
        let sqlite = try SessionStore.open(path: directory + "/pamtoken.sqlite", clock: clock)
        self.init(directory: directory, clock: clock, store: sqlite, sqlite: sqlite, running: nil)
    }

    /// A store of `backend`; for PostgreSQL, in a database of its own, made now.
    init(_ backend: StoreBackend) async throws {
        guard backend == .postgres, let url = StoreBackend.postgresURL else {
            try self.init()
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-store-\(UUID().uuidString)").path
        var location = try PostgresLocation(url: url)
        let admin = PostgresClient(configuration: try location.clientConfiguration(password: nil, poolSize: 1))
        let database = "pamtoken_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))
            group.cancelAll()
        }
        location.database = database
        let client = PostgresClient(configuration: try location.clientConfiguration(password: nil, poolSize: 20))
        let running = Task { await client.run() }
        let clock = ManualClock()
        // A generous lease timeout: 100 concurrent rotations queue for 20 connections on a busy machine.
        let store = PostgresSessionStore(client: client, clock: clock, logger: Logger(label: "test"), leaseTimeout: .seconds(60))
        try await store.migrate()
        self.init(directory: directory, clock: clock, store: store, sqlite: nil, running: running)
    }

    var databasePath: String { directory + "/pamtoken.sqlite" }

    /// Removes the SQLite file, or stops the PostgreSQL pool (the throwaway server goes with its databases).
    func cleanUp() {
        running?.cancel()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func login(_ user: String = "alice", uid: UInt32 = 1000) async throws -> (SessionRecord, RefreshToken) {
        let token = RefreshToken.generate()
        let new = NewSession(
            user: user, uid: uid, authMethod: .password, clientID: "pamtoken", peer: "uid 1000 pid 42", peerUID: 1000, peerPID: 42,
            maxAge: Self.maxAge, refreshTTL: Self.refreshTTL)
        let (session, _) = try await store.createSession(new, token: token)
        return (session, token)
    }

    func rotate(_ token: RefreshToken, grace: TimeInterval = 0) async throws -> (RotationResult, RefreshToken) {
        let next = RefreshToken.generate()
        return (try await store.rotate(token, to: next, refreshTTL: Self.refreshTTL, reuseGrace: grace), next)
    }
}

extension RotationResult {
    var succeeded: Bool {
        switch self {
        case .rotated, .retried: true
        case .rejected: false
        }
    }

    var rejection: RefreshRejection? {
        if case .rejected(let reason) = self { return reason }
        return nil
    }
}
