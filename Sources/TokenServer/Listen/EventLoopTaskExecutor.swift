public import NIOCore

/// Runs a connection's Swift tasks on the NIO event loop that owns its channel.
///
/// Without it, every request crosses threads twice more than it needs: the event loop reads the
/// request and wakes a thread of the Swift cooperative pool to run the handler, whose answer is then
/// handed back to the event loop to write. On a small machine those wake-ups, not the work, were
/// most of a cheap route's CPU (docs/BENCHMARKS.md, "Where a request's CPU goes"). With this
/// executor as the connection task's preference (SE-0417), the handler runs where the bytes arrived.
///
/// Handlers must not block: PAM, SQLite and the user database already run on threads of their own
/// and are awaited. Hand-written because swift-nio 2.101 and Hummingbird 2.28 ship no such executor.
public final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
