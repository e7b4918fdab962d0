public import Logging
public import ServiceLifecycle
import Synchronization

/// Tells systemd how the daemon is doing: `READY=1` once every listener accepts connections,
/// `WATCHDOG=1` at half the watchdog interval while running, `STOPPING=1` at shutdown.
public struct SystemdService: Service {
    let notifier: SystemdNotifier
    let ready: ReadinessGate
    let logger: Logger

    public init(notifier: SystemdNotifier, ready: ReadinessGate, logger: Logger) {
        self.notifier = notifier
        self.ready = ready
        self.logger = logger
    }

    public func run() async throws {
        guard notifier.isEnabled else { return }
        let isReady = await cancelWhenGracefulShutdown { await ready.wait() }
        guard isReady, !Task.isShuttingDownGracefully else { return }
        notifier.ready(status: "serving")
        logger.debug("notified systemd: READY=1")
        if let interval = notifier.watchdogInterval {
            while !Task.isShuttingDownGracefully {
                notifier.watchdog()
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        } else {
            try? await gracefulShutdown()
        }
        notifier.stopping()
    }
}

/// Opens once `count` listeners have reported that they are bound. Waiting ends early, returning
/// false, when the waiting task is cancelled (a listener failed to bind and the daemon is stopping).
public final class ReadinessGate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let remaining: Atomic<Int>

    public init(count: Int) {
        (stream, continuation) = AsyncStream.makeStream()
        remaining = Atomic(count)
        if count <= 0 { continuation.finish() }
    }

    /// One listener is ready.
    public func arrive() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            continuation.finish()
        }
    }

    /// Waits until all listeners are ready (single waiter).
    @discardableResult
    public func wait() async -> Bool {
        for await _ in stream {}
        return remaining.load(ordering: .acquiring) <= 0
    }
}
