public import HummingbirdCore
public import Logging
public import NIOCore
import NIOExtras
public import NIOPosix
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// One listening socket serving HTTP/1.1 with the shared responder: a Unix socket, a TCP port, or a
/// socket inherited from systemd. Modelled on HummingbirdCore's `Server`, which can bind a host or a
/// path but not an inherited descriptor; we need all three to behave the same.
///
/// Graceful shutdown uses NIOExtras' `ServerQuiescingHelper`: stop accepting, let in-flight requests
/// finish, and close idle keep-alive connections at once instead of waiting for their timeout.
public final class Listener: Service, Sendable {
    public let endpoint: ListenEndpoint
    private let http: HTTP1Channel
    private let peers: PeerDirectory
    private let group: any EventLoopGroup
    private let logger: Logger
    private let onBound: @Sendable (SocketAddress?) -> Void

    /// - Parameters:
    ///   - responder: what answers each request (see ``TokenRouter/makeResponder(router:logger:activity:)``).
    ///   - idleTimeout: an idle keep-alive connection is closed after this long.
    ///   - onBound: called once the socket accepts connections, with its local address (port 0 → real port).
    public init(
        endpoint: ListenEndpoint, responder: @escaping HTTP1Channel.Responder, peers: PeerDirectory, idleTimeout: TimeAmount,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        onBound: @escaping @Sendable (SocketAddress?) -> Void = { _ in }
    ) {
        self.endpoint = endpoint
        self.http = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout))
        self.peers = peers
        self.group = group
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let quiescing = ServerQuiescingHelper(group: group)
        let channel: NIOAsyncChannel<HTTP1Channel.Value, Never>
        do {
            channel = try await bind(quiescing: quiescing)
        } catch let error as IOError {
            // NIO's text names its own function ("bind(descriptor:ptr:bytes:): …"); people need the address.
            throw ListenerError(description: "cannot listen on \(endpoint): \(String(cString: strerror(error.errnoCode)))")
        }
        logger.info("listening", metadata: ["endpoint": "\(endpoint)"])
        onBound(channel.channel.localAddress)

        let http = self.http
        let logger = self.logger
        // Every accepted connection must reach `handle`, which closes it: one dropped while still queued
        // in `inbound` trips NIO's "deinited NIOAsyncWriter without calling finish()" precondition and
        // takes the process down. Cancelling the loop would drop the queue, so cancellation (like a
        // graceful shutdown) only starts quiescing, and the loop — in a task of its own, which our
        // cancellation does not reach — runs until the closed server channel ends `inbound`.
        let accepting = Task {
            try await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
                            await http.handle(value: connection, logger: logger)
                        }
                    }
                }
            }
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await accepting.value
            } onGracefulShutdown: {
                quiescing.initiateShutdown(promise: nil)
            }
        } onCancel: {
            quiescing.initiateShutdown(promise: nil)
        }
        if case .unix(let path) = endpoint {
            unlink(path)
        }
        logger.info("stopped listening", metadata: ["endpoint": "\(endpoint)"])
    }

    /// Checks, before the daemon creates anything, that `endpoint` can be bound: a TCP address is bound
    /// and released at once (NIO's own bind, so the error is the one the real bind would meet); a Unix
    /// path gets its directory, and is refused while another process answers on it. A start that
    /// cannot listen then fails before it makes a state directory, keys or a database.
    public static func probe(_ endpoint: ListenEndpoint, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        switch endpoint {
        case .tcp(let host, let port):
            do {
                let channel = try await ServerBootstrap(group: group).serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: host, port: port).get()
                try await channel.close()
            } catch let error as IOError {
                throw ListenerError(description: "cannot listen on \(endpoint): \(String(cString: strerror(error.errnoCode)))")
            }
        case .unix(let path):
            try UnixSocketPath.prepare(path)
        case .inherited:
            return
        }
    }

    private func bind(quiescing: ServerQuiescingHelper) async throws -> NIOAsyncChannel<HTTP1Channel.Value, Never> {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
        let setup: @Sendable (any Channel) -> EventLoopFuture<HTTP1Channel.Value>
        if endpoint.isUnixSocket {
            setup = { [peers, http, logger] channel in
                peers.register(channel).flatMap { http.setup(channel: channel, logger: logger) }
            }
        } else {
            setup = { [http, logger] channel in http.setup(channel: channel, logger: logger) }
        }
        switch endpoint {
        case .unix(let path):
            try UnixSocketPath.prepare(path)
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: setup)
            // Any local user may connect (docs/api.md#transports); who they are is what SO_PEERCRED tells us.
            chmod(path, 0o666)
            return channel
        case .tcp(let host, let port):
            return try await bootstrap.bind(host: host, port: port, childChannelInitializer: setup)
        case .inherited(let fd, _, _):
            return try await bootstrap.bind(fd, childChannelInitializer: setup)
        }
    }
}

/// Why a listener could not start, in one line that names the address.
public struct ListenerError: Error, CustomStringConvertible {
    public var description: String
}
