public import Logging
public import ServiceLifecycle
public import TokenAuthority

/// Republishes this host's public keys and rereads the fleet's, every ``FleetKeys/interval``
/// (docs/fleet.md, "Keys"). A failed round changes nothing: the keys trusted stay trusted until
/// they lapse, so offline verification and the JWKS keep working while PostgreSQL is away.
public struct FleetKeyService: Service {
    let fleet: FleetKeys
    let logger: Logger

    public init(fleet: FleetKeys, logger: Logger) {
        self.fleet = fleet
        self.logger = logger
    }

    public func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // The daemon synchronised once before it started serving; this waits first.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(fleet.interval)) }
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            do {
                try await fleet.synchronize()
                if failing { logger.notice("fleet keys published again") }
                failing = false
            } catch {
                // Said once per outage; the store's own errors are logged where they happen.
                if !failing { logger.warning("cannot publish or read the fleet's public keys", metadata: ["error": "\(error)"]) }
                failing = true
            }
        }
    }
}
