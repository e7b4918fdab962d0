import Foundation

/// A minimal HTTP/1.1 client for pamtokend, over its Unix socket or a loopback TCP port.
///
/// Not AsyncHTTPClient: the CLI makes one or two requests per run, and starting an event loop group
/// would cost more than the request. Blocking calls run on a thread of their own (``Blocking``), so an
/// in-process caller's cooperative threads are never held by a slow daemon.
public struct DaemonClient: Sendable {
    public let address: DaemonAddress
    /// Bounds connecting, each send and each receive.
    public var timeoutSeconds: Int
    /// Our daemon's largest answer is a session list; anything beyond this is not our daemon.
    public var responseLimit = 4 * 1024 * 1024

    public init(address: DaemonAddress, timeoutSeconds: Int = 30) {
        self.address = address
        self.timeoutSeconds = timeoutSeconds
    }

    public func send(_ request: DaemonRequest) async throws(DaemonClientError) -> DaemonResponse {
        try await Blocking.run { () throws(DaemonClientError) -> DaemonResponse in try self.sendBlocking(request) }
    }

    /// Connect, write the request, read to end-of-file, parse.
    public func sendBlocking(_ request: DaemonRequest) throws(DaemonClientError) -> DaemonResponse {
        let connection = try SocketConnection(to: address, timeoutSeconds: timeoutSeconds)
        let bytes: [UInt8]
        switch address {
        case .unix:
            bytes = request.serialized(host: "localhost")
        case .tcp(let host, let port, let basePath):
            bytes = request.serialized(host: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)", pathPrefix: basePath)
        }
        try connection.send(bytes)
        let received = try connection.receiveAll(limit: responseLimit)
        do {
            return try HTTPResponseParser.parse(received)
        } catch .truncated {
            throw DaemonClientError(received.isEmpty ? .transport : .badResponse, address: address, reason: HTTPParseError.truncated.description)
        } catch {
            throw DaemonClientError(.badResponse, address: address, reason: error.description)
        }
    }
}

/// Runs blocking work on a new thread and awaits it, keeping Swift's cooperative pool free: a file
/// lock that waits for another process, or a socket read that waits for the daemon, must not hold a
/// thread that other tasks of the same process (the tests') need to make progress.
enum Blocking {
    static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(E) -> T in try body() })
            }
        }
        return try result.get()
    }
}
