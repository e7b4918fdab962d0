import GRDB
import Synchronization

/// Group commit for the hot write paths (rotation, new sessions): operations that arrive while a
/// transaction is being committed run together in the next one, each in its own savepoint, and are
/// all answered after that single commit.
///
/// Why: with `synchronous=FULL` each commit waits for an fsync of the WAL (0.7 ms on the benchmark
/// machine), which would cap one-transaction-per-rotation at ~1,400 rotations/s however idle the CPU.
/// The durability promise is unchanged — an operation is answered only once the commit containing it
/// is on disk — but one fsync now covers every rotation that queued behind it. A lone operation is a
/// batch of one, so nothing waits for company. Operations still run one after another on GRDB's writer,
/// in arrival order, which is what keeps "exactly one winner" for concurrent rotations of one token.
final class GroupCommit: Sendable {
    /// Bounds one transaction, so a burst cannot hold the writer (and the answers) for long.
    static let maximumBatch = 128

    private struct Pending: Sendable {
        /// Runs the operation inside a savepoint of the batch's transaction and keeps its result.
        let run: @Sendable (Database) -> Void
        /// Answers the caller: `nil` once the batch committed, or the error that failed the commit.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct Queue {
        var pending: [Pending] = []
        var flushing = false
        /// Every write ever queued; lets tests wait until their writes are in line.
        var submitted = 0
    }

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `operation` in the next batch. If it throws, only its savepoint is rolled back and the
    /// error is returned to this caller; the rest of the batch commits.
    func write<T: Sendable>(_ operation: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let slot = ResultSlot<T>()
        return try await withCheckedThrowingContinuation { continuation in
            let pending = Pending(
                run: { db in
                    let result = Result<T, any Error> {
                        var value: T?
                        try db.inSavepoint {
                            value = try operation(db)
                            return .commit
                        }
                        return value!
                    }
                    slot.result.withLock { $0 = result }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else {
                        continuation.resume(with: slot.result.withLock { $0! })
                    }
                })
            let startFlushing = queue.withLock { queue in
                queue.pending.append(pending)
                queue.submitted += 1
                defer { queue.flushing = true }
                return !queue.flushing
            }
            if startFlushing {
                // One flusher at a time, alive only while there is work; it owns the writer's turn.
                Task { await self.flush() }
            }
        }
    }

    /// How many writes have been queued since the start (for tests).
    var submittedCount: Int { queue.withLock { $0.submitted } }

    private func flush() async {
        while true {
            let batch = queue.withLock { queue -> [Pending] in
                let batch = Array(queue.pending.prefix(Self.maximumBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await writer.write { db in
                    for pending in batch { pending.run(db) }
                }
                for pending in batch { pending.finish(nil) }
            } catch {
                for pending in batch { pending.finish(error) }
            }
        }
    }
}

/// Where a batched operation leaves its result until the batch has committed.
private final class ResultSlot<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
}
