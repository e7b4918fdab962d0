public import Logging
import PamtokenWire
public import ServiceLifecycle
public import TokenAuthority

/// Prunes dead sessions, expired refresh tokens (in bounded batches) and retired keys, periodically.
public struct GarbageCollectionService: Service {
    let authority: Authority
    let interval: Duration
    let logger: Logger

    public init(authority: Authority, interval: Duration, logger: Logger) {
        self.authority = authority
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await authority.collectGarbage()
                if report.deletedRows > 0 || !report.prunedKeys.isEmpty {
                    logger.info("garbage collected", metadata: ["rows": "\(report.deletedRows)", "keys": "\(report.prunedKeys)"])
                }
            } catch {
                logger.error("garbage collection failed", metadata: ["error": "\(error)"])
            }
            // Ends the wait at once when the daemon shuts down.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
