public import Logging
public import ServiceLifecycle
public import TokenServer

/// `--idle-exit N` (docs/configuration.md): returns after N seconds without a request, which ends the service
/// group gracefully and the daemon exits 0 — systemd starts it again on the next connection.
public struct IdleExitService: Service {
    let activity: Activity
    let idleTime: Duration
    let logger: Logger

    public init(activity: Activity, idleTime: Duration, logger: Logger) {
        self.activity = activity
        self.idleTime = idleTime
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            let now = ContinuousClock.now
            // While requests run, look again after a full idle period; otherwise when it would end.
            let deadline = activity.idleSince.map { $0 + idleTime } ?? now + idleTime
            if let since = activity.idleSince, now - since >= idleTime {
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
