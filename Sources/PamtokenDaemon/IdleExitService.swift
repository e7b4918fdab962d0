public import Logging
public import ServiceLifecycle
public import TokenServer

/// `--idle-exit N` (docs/configuration.md): returns after N seconds without a request, which ends the service
/// group gracefully and the daemon exits 0 — systemd starts it again on the next connection.
public struct IdleExitService: Service {
    let activity: Activity
    let idleTime: Duration
    let logger: Logger
    /// Work that is not a request in flight but keeps the daemon busy: a PAM conversation waiting for
    /// a person's next answer, whose handle would die with the process.
    let isBusy: @Sendable () -> Bool

    public init(activity: Activity, idleTime: Duration, logger: Logger, isBusy: @escaping @Sendable () -> Bool = { false }) {
        self.activity = activity
        self.idleTime = idleTime
        self.logger = logger
        self.isBusy = isBusy
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            let now = ContinuousClock.now
            // While requests run, look again after a full idle period; otherwise when it would end.
            let idleSince = isBusy() ? nil : activity.idleSince
            let deadline = idleSince.map { $0 + idleTime } ?? now + idleTime
            if let since = idleSince, now - since >= idleTime {
                logger.info("idle: exiting", metadata: ["idle_seconds": "\(idleTime.components.seconds)"])
                return
            }
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(until: max(deadline, now + .milliseconds(10)), clock: .continuous)
                }
            } catch {
                return
            }
        }
    }
}
