import PostgresNIO
import Synchronization

extension PostgresSessionStore {
    /// Runs `body` on a connection of the pool, in one READ COMMITTED transaction when `transaction`.
    ///
    /// While PostgreSQL is unreachable the pool keeps trying to connect and a request for a connection
    /// would wait with it, for a minute and more. A client should get its 503 at once instead: a
    /// request that has not obtained a connection within ``leaseTimeout`` fails with
    /// ``PostgresUnavailable`` before anything is sent. The operation and its timer race on one
    /// three-state flag: whichever moves it from `waiting` first decides, so a body that starts is not
    /// cut short by this timer, and a body whose timer won never starts, even if a connection comes a
    /// moment later. A body that started ends with its connection, though (see ``whileOpen(_:_:)``).
    func leased<T: Sendable>(
        transaction: Isolation? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws
        -> T
    {
        let race = LeaseRace()
        return try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
            group.addTask {
                let value = try await client.withConnection { connection in
                    guard race.claim(.started) else { throw PostgresUnavailable() }
                    return try await whileOpen(connection) {
                        guard let transaction else { return try await body(connection) }
                        return try await Self.transaction(transaction, on: connection, logger: logger, body)
                    }
                }
                return .value(value)
            }
            group.addTask {
                try? await Task.sleep(for: leaseTimeout)
                return race.claim(.timedOut) ? .timedOut : .running
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .value(let value):
                    group.cancelAll()
                    return value
                case .timedOut:
                    group.cancelAll()
                    throw PostgresUnavailable()
                case .running:
                    continue
                }
            }
            throw PostgresUnavailable()
        }
    }

    /// `body` in one transaction: BEGIN with the isolation said explicitly, COMMIT, and ROLLBACK after
    /// a failed body — but only while the connection is open.
    ///
    /// Hand-written rather than postgres-nio's `withTransaction`, which sends its ROLLBACK even on a
    /// connection the server has just closed (`FATAL 57P01` when PostgreSQL shuts down or fails over):
    /// with postgres-nio 1.33.2 that query never completes, and the request waiting on it would hang
    /// for good, holding the daemon's shutdown too (found by fleet-e2e.sh's restart under load). The
    /// server rolls back a closed connection's transaction by itself.
    static func transaction<T: Sendable>(
        _ isolation: Isolation, on connection: PostgresConnection, logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.query(PostgresQuery(unsafeSQL: isolation.rawValue), logger: logger)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            // On a closed connection the server rolled back already, and a query written now would
            // never complete. A connection that is closing but not closed yet may take the ROLLBACK
            // and never answer it: `whileOpen` stops waiting for it when the close comes.
            if !connection.isClosed {
                _ = try? await connection.query("ROLLBACK", logger: logger)
            }
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    /// `work`'s outcome, or ``PostgresConnectionLost`` as soon as `connection` closes, whichever comes first.
    ///
    /// With postgres-nio 1.33.2 a query written to a connection that is closing — the server has sent
    /// `FATAL 57P01` at a shutdown or failover, and the pool handed the connection out a moment
    /// before it learned — never completes: the write fails unseen (`channel.write(…, promise: nil)`)
    /// and the query's promise is left pending. Awaited in place, the request would hang for good,
    /// and the daemon's shutdown with it (found by fleet-e2e.sh's restart of PostgreSQL under load).
    /// So `work` runs in a task of its own, and the caller stops waiting for it when the connection
    /// closes; a task abandoned so stays suspended, holding only its memory (the pool forgets a closed
    /// connection whether or not it was given back). The caller gets a 503, as for any failure in
    /// the middle of a transaction, and a rotation it may have committed is retried within `reuse_grace`.
    ///
    /// A close is acted on 100 ms late, so that an answer that arrived with it — a COMMIT's, just
    /// before a shutdown's `FATAL` — is taken rather than reported lost. And work that neither ends
    /// nor sees its connection close (a network that drops packets without a reset; the server-side
    /// timeouts cannot end that) closes the connection itself after ``operationDeadline``.
    func whileOpen<T: Sendable>(_ connection: PostgresConnection, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.set(continuation)
            let watch = closedConnections.watch(connection) {
                connection.eventLoop.scheduleTask(in: .milliseconds(100)) { outcome.finish(.failure(PostgresConnectionLost())) }
            }
            let deadline = connection.eventLoop.scheduleTask(in: operationDeadline) { connection.close().whenComplete { _ in } }
            Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await work())
                } catch {
                    result = .failure(error)
                }
                outcome.finish(result)
                deadline.cancel()
                closedConnections.unwatch(watch)
            }
        }
    }

}

/// How a store transaction begins: its isolation said explicitly rather than taken from the database's
/// default, in the BEGIN itself (one round trip).
enum Isolation: String, Sendable {
    /// Rotation, redemption, revocation: a transaction that waited for a row lock reads the row as its
    /// holder committed it — what makes the second of two concurrent rotations see the token used.
    case readCommitted = "BEGIN ISOLATION LEVEL READ COMMITTED"
    /// A snapshot (`--migrate-store`): every table read as of one moment, so no token without its session.
    case snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
}

/// Who won the race between an operation getting its connection and its timer: decided once.
private final class LeaseRace: Sendable {
    enum State: UInt8 {
        case waiting, started, timedOut
    }

    private let state = Atomic<UInt8>(State.waiting.rawValue)

    /// Moves the race from `waiting` to `outcome`; false when the other side got there first.
    func claim(_ outcome: State) -> Bool {
        state.compareExchange(expected: State.waiting.rawValue, desired: outcome.rawValue, ordering: .acquiringAndReleasing).exchanged
    }
}

private enum LeaseOutcome<T: Sendable>: Sendable {
    case value(T)
    case timedOut
    case running
}

/// A continuation resumed once, by whichever of its racers comes first.
private final class Outcome<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func finish(_ result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}

/// The connection closed while an operation was using it: the server shut down or failed over, or
/// the network went away. Whether the operation's transaction committed is not known.
public struct PostgresConnectionLost: Error, CustomStringConvertible {
    public var description: String { "the connection to PostgreSQL closed during the operation" }
}

/// No connection to PostgreSQL could be had in time — the server is down or unreachable, or every
/// connection of the pool stayed busy — and nothing was sent.
public struct PostgresUnavailable: Error, CustomStringConvertible {
    public var description: String { "PostgreSQL is unreachable: no connection of the pool became free in time" }
}
