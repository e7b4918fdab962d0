import ArgumentParser
import Foundation
import GRDB
import TestSupport
import TokenCore
import TokenStore

/// Fills a state directory's database with N live sessions, one unused refresh token each, written
/// straight into SQLite in large transactions (refresh p99 with 10^6 sessions).
/// The rows are what the daemon writes, but no token is ever handed out: only the hashes exist.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Seed a database with N sessions.")

    @Option(help: "The daemon's state directory (pamtoken.sqlite is created or extended).") var stateDir: String
    @Option(help: "How many sessions.") var sessions = 1_000_000
    @Option(help: "Spread over this many user names.") var users = 1000

    func run() async throws {
        // 0700, as the daemon requires of its state directory.
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = stateDir + "/pamtoken.sqlite"
        // The store creates the schema (and the file, 0600); then plain GRDB bulk-inserts. The store
        // stays open until the load is done: its lock keeps a daemon off the file meanwhile.
        let store = try SessionStore.open(path: path, clock: SystemClock())
        defer { try? store.close() }
        // A bulk load, not the daemon's durability: no fsync per batch, and a cache big enough to hold
        // the indexes, whose random keys (token hashes, session ids) would otherwise thrash the disk.
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let now = Int64(Date().timeIntervalSince1970)
        let started = Monotonic.now
        // Secondary indexes are dropped for the load and rebuilt from their own SQL afterwards: one
        // sort per index instead of millions of random-key insertions.
        let indexes = try await queue.write { db in
            let indexes = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
                .map { (name: $0["name"] as String, sql: $0["sql"] as String) }
            for index in indexes { try db.execute(sql: "DROP INDEX \(index.name)") }
            return indexes.map(\.sql)
        }
        let batch = 50_000
        var written = 0
        while written < sessions {
            let (first, count) = (written, min(batch, sessions - written))
            try await queue.write { db in
                let session = try db.makeStatement(
                    sql: """
                        INSERT INTO sessions (id, user, uid, auth_method, client_id, created_at, last_used_at, expires_at, idle_expires_at)
                        VALUES (?, ?, ?, 'pwd', 'seed', ?, ?, ?, ?)
                        """)
                let token = try db.makeStatement(
                    sql: "INSERT INTO refresh_tokens (hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
                // No one will ever hold these tokens, so their "hashes" need not come from secrets: a
                // seeded generator is enough, and much cheaper than a system random call per row.
                var random = SplitMix64(seed: UInt64(first) &+ 0x5EED)
                for index in first..<(first + count) {
                    let id = String(random.next(), radix: 36) + String(random.next(), radix: 36)
                    let hash = Data((0..<4).flatMap { _ in withUnsafeBytes(of: random.next()) { Array($0) } })
                    let user = "seed\(index % users)"
                    try session.execute(arguments: [id, user, 100_000 + index % users, now, now, now + 30 * 86400, now + 7 * 86400])
                    try token.execute(arguments: [hash, id, now, now + 7 * 86400])
                }
            }
            written += count
        }
        try await queue.write { db in
            for sql in indexes { try db.execute(sql: sql) }
        }
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        let seconds = Double(Monotonic.now - started) / 1e9
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try BenchOutput.print(SeedReport(sessions: sessions, seconds: seconds, databaseBytes: size ?? 0))
    }
}

struct SeedReport: Codable, Sendable {
    var kind = "seed"
    var sessions: Int
    var seconds: Double
    var databaseBytes: Int
}
