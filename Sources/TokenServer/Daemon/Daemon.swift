public import DaemonConfig
import Foundation
import LinuxPAM
public import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals
import NIOCore
import TokenCore
import TokenStore

/// `pamtokend` put together from its configuration: state directory, keys, database, PAM, the router,
/// listeners, and the background services, run as one `ServiceGroup` that SIGTERM/SIGINT stop gracefully.
public struct Daemon {
    public let configuration: DaemonConfiguration
    let logger: Logger

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Why the daemon could not start. One line each, naming what failed.
    public struct StartupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs until a signal or `--idle-exit`. Throws when a start-up step fails (exit non-zero).
    public func run() async throws {
        let config = configuration
        let clock = SystemClock()
        do {
            try PrivateFiles.createDirectory(config.stateDirectory)
        } catch {
            throw StartupError(description: "state directory: \(error)")
        }
        let keyRing: KeyRing
        do {
            keyRing = try await KeyRing.open(directory: config.stateDirectory + "/keys", algorithm: config.signingAlgorithm, clock: clock)
        } catch {
            throw StartupError(description: "signing keys: \(error)")
        }
        let store: SessionStore
        do {
            store = try SessionStore.open(
                path: config.stateDirectory + "/pamtoken.sqlite", durability: config.durableCommits ? .full : .normal, clock: clock)
        } catch {
            throw StartupError(description: "\(error)")
        }

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let pam = PAMAuthenticator(service: config.pamService, threads: config.pamThreads)
        let authority = TokenAuthority(
            policy: config.tokenPolicy, keyRing: keyRing, store: store, authenticator: pam, users: SystemUserDirectory(),
            throttle: LoginThrottle(limits: config.throttleLimits, clock: clock), settings: config.authoritySettings,
            metrics: ServerMetrics(registry: registry), clock: clock, logger: logger)
        let peers = PeerDirectory()
        let server = TokenServer(
            authority: authority, peers: peers,
            originPolicy: RequestOriginPolicy(issuer: config.issuer, allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins),
            logger: logger)
        let activity = Activity()
        let responder = TokenServer.makeResponder(router: server.buildRouter(), logger: logger, activity: activity)

        var endpoints = SocketActivation.takeListeners()
        if endpoints.isEmpty {
            endpoints = config.listen.map(\.endpoint)
        } else {
            logger.info("socket activation", metadata: ["sockets": "\(endpoints.map(\.description))"])
            // The unit, not our configuration, chose these addresses: apply the same loopback rule.
            for case .inherited(let fd, let name, false) in endpoints {
                if let address = SocketActivation.remoteAddress(fd), !config.allowRemote {
                    throw StartupError(
                        description: "inherited socket \(name) (fd \(fd)) listens on \(address), which is not loopback; set allow_remote = true to serve it")
                }
            }
        }
        let remote = endpoints.filter { endpoint in
            switch endpoint {
            case .tcp(let host, _): !IPAddress.isLoopback(host: host)
            case .inherited(let fd, _, false): SocketActivation.remoteAddress(fd) != nil
            default: false
            }
        }
        if !remote.isEmpty {
            logger.warning("serving on non-loopback addresses (allow_remote = true)", metadata: ["endpoints": "\(remote.map(\.description))"])
        }
        let gate = ReadinessGate(count: endpoints.count)
        let listeners = endpoints.map { endpoint in
            Listener(
                endpoint: endpoint, responder: responder, peers: peers, idleTimeout: .seconds(Int64(config.idleConnectionTimeout)),
                logger: logger, onBound: { _ in gate.arrive() })
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = listeners.map {
            .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        services.append(.init(service: GarbageCollectionService(server: server, interval: .seconds(config.gcInterval), logger: logger)))
        // Returns at once when not run by systemd: that is no reason to stop.
        services.append(.init(service: SystemdService(notifier: SystemdNotifier(), ready: gate, logger: logger), successTerminationBehavior: .ignore))
        if config.idleExit > 0 {
            services.append(
                .init(
                    service: IdleExitService(activity: activity, idleTime: .seconds(config.idleExit), logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        groupConfiguration.cancellationSignals = [.sigquit]

        logger.notice(
            "pamtokend starting",
            metadata: [
                "version": "\(TokenServer.version)", "state_dir": "\(config.stateDirectory)", "pam_service": "\(config.pamService)",
                "alg": "\(config.signingAlgorithm)", "kid": "\(keyRing.current.active.kid)",
            ])
        defer { logger.notice("pamtokend stopped") }
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            await pam.shutdown()
            try? store.close()
            throw StartupError(description: "\(error)")
        }
        await pam.shutdown()
        try store.close()
    }
}

extension DaemonConfiguration {
    var tokenPolicy: TokenPolicy {
        TokenPolicy(
            issuer: issuer, audiences: audiences, accessTTL: TimeInterval(accessTTL), refreshTTL: TimeInterval(refreshTTL),
            sessionMaxAge: TimeInterval(sessionMaxAge), reuseGrace: TimeInterval(reuseGrace))
    }

    var throttleLimits: LoginThrottle.Limits {
        .init(
            userFailures: throttleUserFailures, peerFailures: throttlePeerFailures, window: TimeInterval(throttleWindow),
            maxBackoff: TimeInterval(throttleMaxBackoff))
    }

    var authoritySettings: TokenAuthority.Settings {
        .init(
            failureDelay: .milliseconds(failureDelayMilliseconds), peercredGrant: peercredGrant, peercredAllowRoot: peercredAllowRoot,
            adminGroup: adminGroup.isEmpty ? nil : adminGroup, pamThreads: pamThreads, pamQueueLimit: pamQueueLimit,
            allowSystemUsers: allowSystemUsers, firstUserUID: LoginDefinitions.read().firstUserUID)
    }
}

extension ListenAddress {
    var endpoint: ListenEndpoint {
        switch self {
        case .unix(let path): .unix(path: path)
        case .tcp(let host, let port): .tcp(host: host, port: port)
        }
    }
}
