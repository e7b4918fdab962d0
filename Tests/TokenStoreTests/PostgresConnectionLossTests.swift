import Foundation
import Logging
import PostgresNIO
import Testing

@testable import PostgresStore

/// PostgreSQL going away in the middle of an operation (a shutdown, a failover): the operation ends
/// with an error the authority turns into a 503, never hangs (docs/fleet.md, "When PostgreSQL fails").
@Suite("PostgreSQL connection lost mid-operation", .enabled(if: StoreBackend.postgresURL != nil, "needs PAMTOKEN_TEST_POSTGRES"))
struct PostgresConnectionLossTests {
    @Test(
        "an operation whose connection the server terminates fails at once, even if its own work never returns",
        .timeLimit(.minutes(1)))
    func terminatedUnderOperation() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let store = try #require(fixture.store as? PostgresSessionStore)
        await #expect(throws: PostgresConnectionLost.self) {
            try await store.leased(transaction: .readCommitted) { connection in
                var pid: Int32 = 0
                for try await backend in try await connection.query("SELECT pg_backend_pid()", logger: Logger(label: "test")).decode(Int32.self) {
                    pid = backend
                }
                // From another connection of the pool, as an administrator or a failover would.
                try await store.client.query("SELECT pg_terminate_backend(\(pid))")
                // Work that outlives the connection: with postgres-nio 1.33.2 a query written now may never complete.
                try await Task.sleep(for: .seconds(600))
            }
        }
        try await store.ping()
    }

    @Test("an operation whose connection stops answering is ended at the store's deadline: its connection is closed", .timeLimit(.minutes(1)))
    func deadline() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let pooled = try #require(fixture.store as? PostgresSessionStore)
        let store = PostgresSessionStore(
            client: pooled.client, clock: fixture.clock, logger: Logger(label: "test"), leaseTimeout: .seconds(60), operationDeadline: .seconds(1))
        await #expect(throws: PostgresConnectionLost.self) {
            // Work that never ends on an open connection: what a network that drops packets looks like.
            try await store.leased(transaction: .readCommitted) { _ in try await Task.sleep(for: .seconds(600)) }
        }
        try await store.ping()
    }

    @Test("a statement that fails on a sound connection rolls its transaction back, and the connection serves on")
    func failedStatementRollsBack() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let store = try #require(fixture.store as? PostgresSessionStore)
        let logger = Logger(label: "test")
        await #expect(throws: PSQLError.self) {
            try await store.leased(transaction: .readCommitted) { connection in
                try await connection.query(
                    "INSERT INTO public_keys (kid, alg, jwk, host, published_at, not_after) VALUES ('k', 'ES256', '{}', 'h', 0, 1)", logger: logger)
                try await connection.query("SELECT 1/0", logger: logger)
            }
        }
        var count = -1
        for try await rows in try await store.client.query("SELECT count(*) FROM public_keys").decode(Int.self) { count = rows }
        #expect(count == 0, "the insert before the failure was rolled back")
    }
}
