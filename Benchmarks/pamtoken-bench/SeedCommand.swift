import ArgumentParser
import Foundation
import GRDB
import TokenCore
import TokenStore

/// Fills a state directory's database with N live sessions, one unused refresh token each, written
/// straight into SQLite in large transactions (issue #6, item 5: refresh p99 with 10^6 sessions).
/// The rows are what the daemon writes, but no token is ever handed out: only the hashes exist.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Seed a database with N sessions.")

    @Option(help: "The daemon's state directory (pamtoken.sqlite is created or extended).") var stateDir: String
    @Option(help: "How many sessions.") var sessions = 1_000_000
    @Option(help: "Spread over this many user names.") var users = 1000

    func run() async throws {
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let path = stateDir + "/pamtoken.sqlite"
        // The store creates the schema (and the file, 0600); then plain GRDB bulk-inserts.
        try SessionStore.open(path: path, clock: SystemClock()).close()
        let queue = try DatabaseQueue(path: path)
        let now = Int64(Date().timeIntervalSince1970)
        let started = Monotonic.now
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
                for index in first..<(first + count) {
                    let id = Identifier.random()
                    let user = "seed\(index % users)"
                    try session.execute(arguments: [id, user, 100_000 + index % users, now, now, now + 30 * 86400, now + 7 * 86400])
                    try token.execute(arguments: [RefreshToken.generate().hash, id, now, now + 7 * 86400])
                }
            }
            written += count
        }
        try await queue.write { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
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
