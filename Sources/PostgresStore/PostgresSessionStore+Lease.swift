import PostgresNIO
import Synchronization

extension PostgresSessionStore {
    /// Runs `body` on a connection of the pool, in one READ COMMITTED transaction when `transaction`.
    ///
    /// While PostgreSQL is unreachable the pool keeps trying to connect and a request for a connection
    /// would wait with it, for a minute and more. A client should get its 503 at once instead: a
    /// request that has not obtained a connection within ``leaseTimeout`` fails with
    /// ``PostgresUnavailable`` before anything is sent. The operation and its timer race on one
    /// three-state flag: whichever moves it from `waiting` first decides, so a body that starts is never
    /// cut short or disowned (a commit under way is never answered 503), and a body whose timer won
    /// never starts, even if a connection comes a moment later.
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
                    guard let transaction else { return try await body(connection) }
                    return try await connection.withTransaction(logger: logger) { connection in
                        // Said here, whatever the database's default (see Isolation).
                        try await connection.query(PostgresQuery(unsafeSQL: transaction.rawValue), logger: logger)
                        return try await body(connection)
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
}

/// The isolation of a store transaction, set explicitly rather than taken from the database's default.
enum Isolation: String, Sendable {
    /// Rotation, redemption, revocation: a transaction that waited for a row lock reads the row as its
    /// holder committed it — what makes the second of two concurrent rotations see the token used.
    case readCommitted = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"
    /// A snapshot (`--migrate-store`): every table read as of one moment, so no token without its session.
    case snapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
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

/// No connection to PostgreSQL could be had in time — the server is down or unreachable, or every
/// connection of the pool stayed busy — and nothing was sent.
public struct PostgresUnavailable: Error, CustomStringConvertible {
    public var description: String { "PostgreSQL is unreachable: no connection of the pool became free in time" }
}
