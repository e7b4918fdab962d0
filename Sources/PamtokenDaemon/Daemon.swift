public import DaemonConfig
import Foundation
import LinuxPAM
public import Logging
import Metrics
import NIOCore
import Prometheus
public import ServiceLifecycle
public import TokenAuthority
import TokenCore
import TokenServer
import TokenStore
import UnixSignals

/// `pamtokend` put together from its configuration and run: ``buildServices(configuration:logger:)``
/// opens what the daemon owns, ``run()`` serves until SIGTERM/SIGINT or the idle exit, then closes it.
public struct Daemon {
    public let configuration: DaemonConfiguration
    let logger: Logger

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// What about the host makes this start worth a second look: libpam silently falls back to
    /// `/etc/pam.d/other` for a service without a file, and root is more than the daemon needs.
    static func environmentWarnings(_ configuration: DaemonConfiguration) -> [String] {
        var warnings: [String] = []
        let service = configuration.pamService
        let directories = [ProcessInfo.processInfo.environment["PAM_WRAPPER_SERVICE_DIR"], "/etc/pam.d", "/usr/lib/pam.d"].compactMap { $0 }
        if !directories.contains(where: { FileManager.default.fileExists(atPath: "\($0)/\(service)") }) {
            warnings.append(
                "PAM service \(service) has no file in /etc/pam.d: libpam uses /etc/pam.d/other instead; install etc/pam.d/pamtoken or set pam_service"
            )
        }
        if getuid() == 0, ProcessInfo.processInfo.environment["LISTEN_FDS"] == nil {
            warnings.append("running as root; the systemd unit runs pamtokend as user pamtoken in group shadow, which is all it needs")
        }
        return warnings
    }

    /// Why the daemon could not start. One line each, naming what failed.
    public struct StartupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs until a signal or the idle exit. Throws when a start-up step fails (exit non-zero).
    public func run() async throws {
        let services = try await buildServices(configuration: configuration, logger: logger)
        logger.notice(
            "pamtokend starting",
            metadata: [
                "version": "\(PamtokenVersion.string)", "state_dir": "\(configuration.stateDirectory)",
                "pam_service": "\(configuration.pamService)", "alg": "\(configuration.signingAlgorithm)",
                "kid": "\(services.authority.keys.active.kid)",
            ])
        defer { logger.notice("pamtokend stopped") }
        for warning in configuration.sharedHostWarnings + Self.environmentWarnings(configuration) { logger.warning("\(warning)") }
        if configuration.allowPasswordChange, geteuid() != 0 {
            // pam_unix writes a changed password to /etc/shadow, which only root may: said once, as the
            // shipped unit runs as user pamtoken (docs/pam-stacks.md, "Expired passwords").
            logger.notice(
                "allow_password_change is on but pamtokend is not root: pam_unix will refuse to change an expired password (see docs/pam-stacks.md)"
            )
        }
        try await services.run()
    }
}

/// What `pamtokend` runs, built but not started: the authority, the listeners and the background
/// services in one `ServiceGroup`, and what must be closed after it (PAM's threads, the database).
public struct DaemonServices {
    public let authority: Authority
    public let group: ServiceGroup
    let pam: PAMAuthenticator
    let store: any SessionStorage

    /// Runs the group, then releases PAM and the database — once, however the group ended.
    public func run() async throws {
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        authority.endConversations()
        await pam.shutdown()
        try? await store.close()
        if let failure { throw Daemon.StartupError(description: "\(failure)") }
    }
}

/// Opens the state directory, keys and database, and wires PAM, the authority, the router, the
/// listeners (systemd's sockets if it passed any, else `listen`) and the background services, in the
/// shape of Hummingbird's `buildApplication`, so that tests can build the daemon without running it.
public func buildServices(configuration config: DaemonConfiguration, logger: Logger) async throws -> DaemonServices {
    let clock = SystemClock()
    // Addresses first: a start that cannot listen fails before it creates state, keys or a database.
    let endpoints = try listenEndpoints(config, logger: logger)
    for endpoint in endpoints { try await Listener.probe(endpoint) }
    do {
        try PrivateFiles.createDirectory(config.stateDirectory)
    } catch {
        throw Daemon.StartupError(description: "state directory: \(error)")
    }
    // The store before the keys: a second daemon on this state directory stops at the store's lock
    // (StoreLock) before it could create or rotate a key.
    let (store, storeService) = try await openStore(config, clock: clock, logger: logger)
    let keyRing: KeyRing
    do {
        keyRing = try await KeyRing.open(
            directory: config.stateDirectory + "/keys", algorithm: config.signingAlgorithm,
            idTokenAlgorithms: config.clients.compactMap(\.idTokenAlgorithm), clock: clock)
    } catch {
        try? await store.close()
        await storeService?.stop()
        throw Daemon.StartupError(description: "signing keys: \(error)")
    }
    let fleetKeys: FleetKeys?
    do {
        fleetKeys = try await joinFleet(store: store, keyRing: keyRing, config: config, clock: clock, logger: logger)
    } catch {
        await storeService?.stop()
        throw error
    }

    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let pam = PAMAuthenticator(
        service: config.pamService, threads: config.pamThreads, loginThreads: config.loginThreads,
        conversationThreads: config.conversationLimit)
    let authority = Authority(
        policy: config.tokenPolicy, keyRing: keyRing, store: store, authenticator: pam, users: CachingUserDirectory(SystemUserDirectory()),
        throttle: LoginThrottle(limits: config.throttleLimits, clock: clock), settings: config.authoritySettings,
        metrics: ServerMetrics(registry: registry), clock: clock, logger: logger,
        clients: ClientRegistry(config.clients, verifySecret: { secret, hash in await SecretHash.verify(secret, against: hash) }),
        fleetKeys: fleetKeys)
    let peers = PeerDirectory()
    let router = TokenRouter(
        authority: authority, peers: peers,
        originPolicy: RequestOriginPolicy(issuer: config.issuer, allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins),
        logger: logger)
    let activity = Activity()
    let responder = TokenRouter.makeResponder(router: router.buildRouter(), logger: logger, activity: activity)

    let gate = ReadinessGate(count: endpoints.count)
    let listeners = endpoints.map { endpoint in
        Listener(
            endpoint: endpoint, responder: responder, peers: peers, idleTimeout: .seconds(Int64(config.idleConnectionTimeout)),
            logger: logger, onBound: { _ in gate.arrive() })
    }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = listeners.map {
        .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
    }
    // ServiceGroup stops services in the reverse of this order: the store's pool first in, last out,
    // so that requests still draining can reach the database.
    if let storeService { services.insert(.init(service: storeService), at: 0) }
    services.append(.init(service: GarbageCollectionService(authority: authority, interval: .seconds(config.gcInterval), logger: logger)))
    if let fleetKeys { services.append(.init(service: FleetKeyService(fleet: fleetKeys, logger: logger))) }
    // Returns at once when not run by systemd: that is no reason to stop.
    services.append(.init(service: SystemdService(notifier: SystemdNotifier(), ready: gate, logger: logger), successTerminationBehavior: .ignore))
    if config.idleExit > 0 {
        services.append(
            .init(
                service: IdleExitService(
                    activity: activity, idleTime: .seconds(config.idleExit), logger: logger, isBusy: { authority.hasOpenConversations }),
                successTerminationBehavior: .gracefullyShutdownGroup))
    }
    var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
    groupConfiguration.cancellationSignals = [.sigquit]
    return DaemonServices(authority: authority, group: ServiceGroup(configuration: groupConfiguration), pam: pam, store: store)
}

/// In a fleet (a store that shares public keys), publishes this host's keys and trusts the others'
/// before anything is served: a token this host signs must verify everywhere from its first answer.
private func joinFleet(
    store: any SessionStorage, keyRing: KeyRing, config: DaemonConfiguration, clock: any WallClock, logger: Logger
) async throws -> FleetKeys? {
    guard let directory = store as? any PublicKeyDirectory else { return nil }
    let fleet = FleetKeys(
        directory: directory, keyRing: keyRing, host: kernelHostName(), policy: config.tokenPolicy, clock: clock, logger: logger)
    do {
        try await fleet.synchronize()
    } catch {
        throw Daemon.StartupError(description: "store: cannot publish this host's public keys: \(String(reflecting: error))")
    }
    logger.notice("fleet keys", metadata: ["host": "\(fleet.host)", "trusted_from_other_hosts": "\(keyRing.current.peers.map(\.kid))"])
    return fleet
}

/// The host's name as the kernel has it (what `hostname` prints), for the rows it publishes. Read from
/// /proc rather than through Foundation's `hostName`, which may wait on a DNS lookup at start-up.
private func kernelHostName() -> String {
    let name = (try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    return name.map { String($0.prefix(253)) }.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
}

/// systemd's sockets when it passed any (held to the same loopback rule as `listen`), else `listen`.
private func listenEndpoints(_ config: DaemonConfiguration, logger: Logger) throws -> [ListenEndpoint] {
    let inherited = SocketActivation.takeListeners()
    guard !inherited.isEmpty else {
        let endpoints = config.listen.map(\.endpoint)
        let remote = endpoints.filter { if case .tcp(let host, _) = $0 { !IPAddress.isLoopback(host: host) } else { false } }
        if !remote.isEmpty {
            logger.warning("serving on non-loopback addresses (allow_remote = true)", metadata: ["endpoints": "\(remote.map(\.description))"])
        }
        return endpoints
    }
    logger.info("socket activation", metadata: ["sockets": "\(inherited.map(\.description))"])
    for case .inherited(let fd, let name, false) in inherited {
        guard let address = SocketActivation.remoteAddress(fd) else { continue }
        guard config.allowRemote else {
            throw Daemon.StartupError(
                description: "inherited socket \(name) (fd \(fd)) listens on \(address), which is not loopback; set allow_remote = true to serve it")
        }
        logger.warning("serving on a non-loopback address (allow_remote = true)", metadata: ["socket": "\(name)", "address": "\(address)"])
    }
    return inherited
}

extension DaemonConfiguration {
    /// Browsers send a host's cookies to every port of it: an application served on the issuer's own
    /// host receives pamtoken's browser-session cookie and could replay it (docs/browser-sign-in.md).
    var sharedHostWarnings: [String] {
        guard let issuerHost = URLComponents(string: issuer)?.host?.lowercased() else { return [] }
        return clients.compactMap { client in
            guard client.redirectURIs.contains(where: { URLComponents(string: $0)?.host?.lowercased() == issuerHost }) else { return nil }
            return "client \(client.id) is served on the issuer's host \(issuerHost): it receives pamtoken's sign-in cookie; "
                + "give pamtoken a host of its own (see docs/browser-sign-in.md)"
        }
    }

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

    var authoritySettings: Authority.Settings {
        .init(
            failureDelay: .milliseconds(failureDelayMilliseconds), peercredGrant: peercredGrant, peercredAllowRoot: peercredAllowRoot,
            adminGroup: adminGroup.isEmpty ? nil : adminGroup, pamThreads: pamThreads, pamLoginThreads: loginThreads, pamQueueLimit: pamQueueLimit,
            allowSystemUsers: allowSystemUsers, firstUserUID: LoginDefinitions.read().firstUserUID, passwordGrant: passwordGrant,
            allowPasswordChange: allowPasswordChange, conversationTimeout: .seconds(conversationTimeout), conversationLimit: conversationLimit)
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
