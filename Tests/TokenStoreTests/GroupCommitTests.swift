import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing

@testable import TokenStore

/// Group commit: writes that arrive while the writer is busy share the next transaction,
/// each in its own savepoint, and every caller is answered only after that commit.
@Suite("Group commit")
struct GroupCommitTests {
    /// Counts the transactions committed on the writer connection.
    final class CommitCounter: TransactionObserver, Sendable {
        let commits = Atomic(0)
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .relaxed) }
        func databaseDidRollback(_ db: Database) {}
    }

    final class Flag: Sendable {
        let value = Atomic(false)
    }

    struct Scratch {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-gc-\(UUID().uuidString)").path
        let pool: DatabasePool
        let counter = CommitCounter()

        init() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            pool = try DatabasePool(path: directory + "/g.sqlite")
            try pool.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER NOT NULL)") }
            pool.add(transactionObserver: counter, extent: .databaseLifetime)
        }

        /// Starts a write through `group` that holds the writer — inside the flusher's current batch —
        /// until the returned semaphore is signalled; everything submitted meanwhile queues for the next batch.
        func holdWriter(_ group: GroupCommit) async -> (release: DispatchSemaphore, done: Task<Void, any Error>) {
            let running = Flag()
            let release = DispatchSemaphore(value: 0)
            let done = Task {
                try await group.write { _ in
                    running.value.store(true, ordering: .releasing)
                    release.wait()  // a GRDB writer thread, not the cooperative pool
                }
            }
            while !running.value.load(ordering: .acquiring) { await Task.yield() }
            return (release, done)
        }

        func rows() throws -> [Int] {
            try pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        }
    }

    @Test("ten writes queued behind a busy writer share one transaction, and all are answered")
    func batching() async throws {
        let scratch = try Scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch.directory) }
        let group = GroupCommit(writer: scratch.pool)
        let before = scratch.counter.commits.load(ordering: .relaxed)
        let (release, holder) = await scratch.holdWriter(group)

        try await withThrowingTaskGroup(of: Int.self) { tasks in
            for n in 0..<10 {
                tasks.addTask {
                    try await group.write { db in
                        try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                        return n
                    }
                }
            }
            while group.submittedCount < 11 { await Task.yield() }  // the holder and all ten are in line
            release.signal()
            var answered: Set<Int> = []
            for try await n in tasks { answered.insert(n) }
            #expect(answered == Set(0..<10))
        }
        try await holder.value
        #expect(try scratch.rows() == Array(0..<10))
        let commits = scratch.counter.commits.load(ordering: .relaxed) - before
        #expect(commits == 2, "the holder's transaction, then one for all ten (one per write would be 11)")
    }

    @Test("a write that throws is rolled back alone; the rest of its batch commits")
    func failureIsolation() async throws {
        let scratch = try Scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch.directory) }
        let group = GroupCommit(writer: scratch.pool)
        let (release, holder) = await scratch.holdWriter(group)

        let first = Task { try await group.write { db in try db.execute(sql: "INSERT INTO t (n) VALUES (1)") } }
        let failing = Task {
            try await group.write { db in
                try db.execute(sql: "INSERT INTO t (n) VALUES (2)")
                try db.execute(sql: "INSERT INTO missing (n) VALUES (2)")
            }
        }
        let last = Task { try await group.write { db in try db.execute(sql: "INSERT INTO t (n) VALUES (3)") } }
        while group.submittedCount < 4 { await Task.yield() }  // all three share the batch after the holder's
        release.signal()
        try await holder.value

        try await first.value
        await #expect(throws: DatabaseError.self) { try await failing.value }
        try await last.value
        #expect(try scratch.rows() == [1, 3], "the failed write's own insert was rolled back with it")
    }
}
