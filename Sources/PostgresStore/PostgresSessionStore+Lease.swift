import PostgresNIO
import Synchronization

extension PostgresSessionStore {
    /// Runs `body` on a connection of the pool, in one transaction when `transaction`.
    ///
    /// While PostgreSQL is unreachable the pool keeps trying to connect and a request for a connection
    /// would wait with it, for a minute and more. A client should get its 503 at once instead: a
    /// request that has not obtained a connection within ``leaseTimeout`` fails with
    /// ``PostgresUnavailable``, before anything was sent — so nothing was spent, and the same request
    /// may be repeated. Once `body` runs it is never cut short: a commit under way is never abandoned,
    /// which could leave the client unsure whether its token was spent.
    func leased<T: Sendable>(transaction: Bool = false, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let started = LeaseFlag()
        return try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
            group.addTask {
                let value = try await client.withConnection { connection in
                    started.value.store(true, ordering: .releasing)
                    if transaction {
                        return try await connection.withTransaction(logger: logger) { try await body($0) }
                    }
                    return try await body(connection)
                }
                return .value(value)
            }
            group.addTask {
                try? await Task.sleep(for: leaseTimeout)
                return started.value.load(ordering: .acquiring) ? .running : .timedOut
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

/// Set once a connection was obtained; shared by the operation and its timer.
private final class LeaseFlag: Sendable {
    let value = Atomic<Bool>(false)
}

private enum LeaseOutcome<T: Sendable>: Sendable {
    case value(T)
    case timedOut
    case running
}

/// No connection to PostgreSQL could be had in time: the server is down or unreachable, or every
/// connection of the pool stayed busy.
public struct PostgresUnavailable: Error, CustomStringConvertible {
    public var description: String { "PostgreSQL is unreachable: no connection of the pool became free in time" }
}
