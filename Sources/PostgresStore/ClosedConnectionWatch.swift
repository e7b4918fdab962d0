import PostgresNIO
import Synchronization

/// Tells the operations running on a connection that it closed (see `PostgresSessionStore.whileOpen`).
///
/// One close callback per connection, registered the first time an operation runs on it, rather than
/// one per operation: a future's callbacks live as long as it is pending, and a healthy connection's
/// close future is pending for as long as the connection lives.
final class ClosedConnectionWatch: Sendable {
    /// An operation being watched: its connection and its number there.
    struct Watch: Sendable {
        let connection: PostgresConnection.ID
        let number: Int
    }

    private struct State {
        var waiting: [PostgresConnection.ID: [Int: @Sendable () -> Void]] = [:]
        var next = 0
    }

    private let state = Mutex(State())

    /// Calls `onClose` if `connection` closes before ``unwatch(_:)``; at once if it has already closed.
    func watch(_ connection: PostgresConnection, onClose: @escaping @Sendable () -> Void) -> Watch {
        let (number, first) = state.withLock { state in
            state.next &+= 1
            let first = state.waiting[connection.id] == nil
            state.waiting[connection.id, default: [:]][state.next] = onClose
            return (state.next, first)
        }
        // A connection is leased to one operation at a time, so no other `watch` of it runs meanwhile.
        if first {
            let id = connection.id
            connection.closeFuture.whenComplete { _ in self.closed(id) }
        }
        return Watch(connection: connection.id, number: number)
    }

    /// The operation ended: its close callback is dropped.
    func unwatch(_ watch: Watch) {
        state.withLock { _ = $0.waiting[watch.connection]?.removeValue(forKey: watch.number) }
    }

    private func closed(_ connection: PostgresConnection.ID) {
        let callbacks = state.withLock { $0.waiting.removeValue(forKey: connection) }
        for callback in callbacks?.values ?? [:].values {
            callback()
        }
    }
}
