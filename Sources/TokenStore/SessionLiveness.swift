import GRDB
import Synchronization

/// Remembers sessions found active, so that a bearer request (introspection, `/userinfo`, `/auth`)
/// does not read the database every time: that read, and the two thread hand-offs GRDB's reader queue
/// costs, were most of such a request's CPU (docs/BENCHMARKS.md, "Where a request's CPU goes").
///
/// Exact, not eventually consistent: an entry says "active until" the earlier of the session's two
/// expiries, and every committed statement that revokes or deletes sessions — whichever method ran
/// it — empties the whole cache before the write returns (a GRDB transaction observer on the
/// `revoked_at` column and on deletions). A revocation's answer therefore never precedes a cached
/// "active". Rotations only push `idle_expires_at` later, so a cached value is at worst early and
/// costs one read. Only this process writes the SQLite store (``StoreLock`` sees to it); the
/// PostgreSQL store, which other hosts also write, has no such cache.
final class SessionLiveness: Sendable {
    private struct State {
        var epoch: UInt64 = 0
        /// Session id → the second (Unix time) until which it is active, barring revocation.
        var activeUntil: [String: Int64] = [:]
    }

    /// The most sessions remembered; when full, the cache starts again empty (a few reads).
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// Whether `id` is known to be active at `now`.
    func isKnownActive(_ id: String, now: Int64) -> Bool {
        state.withLock { state in state.activeUntil[id].map { now < $0 } ?? false }
    }

    /// Taken before reading the database: a result read under an older epoch is not recorded.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    /// Records what a read that began at `epoch` found: `id` active until `until`.
    func record(_ id: String, activeUntil until: Int64, readAt epoch: UInt64) {
        // The entries dropped when full come back out of the lock and are freed there.
        _ = state.withLock { state -> [String: Int64] in
            guard state.epoch == epoch else { return [:] }
            var dropped: [String: Int64] = [:]
            if state.activeUntil.count >= capacity { swap(&dropped, &state.activeUntil) }
            state.activeUntil[id] = until
            return dropped
        }
    }

    /// Forgets everything: a session may have been revoked or deleted.
    ///
    /// The old entries are freed after the lock is released: up to ``capacity`` strings, which every
    /// bearer request on every event loop would otherwise wait behind, and any user can cause this
    /// by revoking a session of their own.
    func invalidate() {
        _ = state.withLock { state -> [String: Int64] in
            state.epoch &+= 1
            var dropped: [String: Int64] = [:]
            swap(&dropped, &state.activeUntil)
            return dropped
        }
    }

    /// The observer to add to the store's writer, which calls ``invalidate()`` after each commit that
    /// revoked or deleted a session (after, not at the change: a reader between the two would see
    /// the old, active row and record it under the new epoch).
    func makeObserver() -> some TransactionObserver { RevocationObserver(liveness: self) }
}

/// Runs on GRDB's writer queue only, which serialises its callbacks.
private final class RevocationObserver: TransactionObserver {
    let liveness: SessionLiveness
    private var sawRevocation = false

    init(liveness: SessionLiveness) {
        self.liveness = liveness
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .delete(let table): table == "sessions"
        case .update(let table, let columns): table == "sessions" && (columns.contains("revoked_at") || columns.contains("expires_at"))
        case .insert: false
        }
    }

    func databaseDidChange(with event: DatabaseEvent) {
        sawRevocation = true
    }

    func databaseDidCommit(_ db: Database) {
        if sawRevocation { liveness.invalidate() }
        sawRevocation = false
    }

    func databaseDidRollback(_ db: Database) {
        sawRevocation = false
    }
}
