import Logging
public import PostgresNIO

extension PostgresLocation {
    /// Connects once and disconnects, so that a start that cannot reach the database says why — the
    /// server's own words ("password authentication failed for user …"), a refused connection, a
    /// certificate that does not verify — rather than the pool's "no connection became free in
    /// time", which is all a request learns while the pool retries.
    /// - Throws: ``Unreachable``, naming the server and the reason.
    public func probe(password: String?, timeout: TimeAmount = .seconds(3), logger: Logger) async throws(Unreachable) {
        do {
            var configuration: PostgresConnection.Configuration
            if let socketDirectory {
                configuration = .init(
                    unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
            } else {
                let tls: PostgresConnection.Configuration.TLS = try tlsSettings.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
                configuration = .init(host: host ?? "localhost", port: port, username: user, password: password, database: database, tls: tls)
            }
            configuration.options.connectTimeout = timeout
            // As the pool's connections will: a proxy that refuses them is found here.
            configuration.options.additionalStartupParameters = Self.startupParameters
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0, logger: logger
            ).get()
            try await connection.close()
        } catch {
            throw Unreachable(server: "\(user)@\(host ?? socketDirectory ?? "localhost"):\(port)/\(database)", reason: Self.reason(error))
        }
    }

    /// The database could not be reached at start.
    public struct Unreachable: Error, CustomStringConvertible {
        /// `user@host:port/database`.
        public let server: String
        /// The server's message, or the connection's failure.
        public let reason: String

        public var description: String { "cannot connect to PostgreSQL as \(server): \(reason)" }
    }

    /// What went wrong, in words fit for one line of a log: PSQLError's `description` hides everything
    /// (so that nothing sensitive leaks by accident); the server's message and the connection's error
    /// carry no secret.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return reason(underlying) }
        return "\(error.code)"
    }
}
