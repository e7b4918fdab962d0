import Foundation
public import PostgresNIO

/// Where the PostgreSQL store is, from a `postgresql://` URL as libpq writes them:
/// `postgresql://USER@HOST:PORT/DATABASE?sslmode=MODE`, or a Unix socket directory as the `host`
/// query parameter (`postgresql://pamtoken@/pamtoken?host=/run/postgresql`).
///
/// Written here because postgres-nio takes its settings as a structure, not a URL. The password is
/// never in the URL (configuration files are read by more people than secrets should be): it comes
/// from a file of its own, as `store_password_file`. `sslmode` is `disable`, `require` (encrypted,
/// certificate not checked) or `verify-full` (the default for TCP: encrypted, certificate and host
/// name checked against the system's trust store).
public struct PostgresLocation: Sendable, Equatable {
    /// The user to connect as.
    public var user: String
    /// A TCP host, or nil with ``socketDirectory``.
    public var host: String?
    /// The TCP port, or the number in the socket's name (`.s.PGSQL.PORT`).
    public var port: Int
    /// The directory of the server's Unix socket, when not over TCP.
    public var socketDirectory: String?
    /// The database.
    public var database: String
    /// The `sslmode`.
    public var tlsMode: String

    /// Why a URL cannot be used; one line naming the fault.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses `url`; throws ``Invalid`` naming what is wrong.
    public init(url: String) throws(Invalid) {
        guard let components = URLComponents(string: url), ["postgresql", "postgres"].contains(components.scheme ?? "") else {
            throw Invalid(description: "must be a postgresql:// URL (got \(url.prefix(80).debugDescription))")
        }
        guard components.password == nil else {
            throw Invalid(description: "must not contain a password: put it in the file named by store_password_file")
        }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "must name the user, as postgresql://USER@HOST/DATABASE") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(description: "must name the database, as postgresql://USER@HOST/DATABASE")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard query[item.name] == nil else { throw Invalid(description: "repeats the parameter \(item.name)") }
            query[item.name] = item.value ?? ""
        }
        let unknown = Set(query.keys).subtracting(["sslmode", "host"])
        guard unknown.isEmpty else {
            throw Invalid(description: "has unknown parameters \(unknown.sorted().joined(separator: ", ")); known: sslmode, host")
        }
        self.user = user
        self.database = database
        self.port = components.port ?? 5432
        if let directory = query["host"] {
            guard directory.hasPrefix("/"), components.host?.isEmpty ?? true else {
                throw Invalid(description: "host= must be the absolute path of the server's socket directory, and the URL then has no host")
            }
            self.socketDirectory = directory
            self.host = nil
            self.tlsMode = query["sslmode"] ?? "disable"
        } else {
            guard let host = components.host, !host.isEmpty else { throw Invalid(description: "must name a host, or host=/socket/directory") }
            self.host = host
            self.socketDirectory = nil
            self.tlsMode = query["sslmode"] ?? "verify-full"
        }
        guard ["disable", "require", "verify-full"].contains(tlsMode) else {
            throw Invalid(description: "sslmode must be disable, require or verify-full (got \(tlsMode.debugDescription))")
        }
    }

    /// Sent with every connection: a held row lock, a stalled statement or a transaction left open
    /// must end, not pin the pool — the request that waits gets its 503 and the connection goes back.
    static let startupParameters = [("lock_timeout", "5s"), ("statement_timeout", "15s"), ("idle_in_transaction_session_timeout", "30s")]

    /// The TLS settings of `sslmode`, nil for `disable`: the pool's and the start-up probe's alike.
    var tlsSettings: TLSConfiguration? {
        guard tlsMode != "disable" else { return nil }
        var settings = TLSConfiguration.makeClientConfiguration()
        if tlsMode == "require" { settings.certificateVerification = .none }
        return settings
    }

    /// postgres-nio's settings for this location, with the password and the pool's size.
    public func clientConfiguration(password: String?, poolSize: Int) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            configuration = .init(
                host: host ?? "localhost", port: port, username: user, password: password, database: database,
                tls: tlsSettings.map { .require($0) } ?? .disable)
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.minimumConnections = 0
        configuration.options.additionalStartupParameters = Self.startupParameters
        // No keep-alive query: postgres-nio 1.33.2 never completes a query written to a closing
        // connection, and a keep-alive stuck so would keep the pool, and the daemon, from stopping.
        // Idle connections are closed after a minute instead (the pool's default), and reopened on demand.
        configuration.options.keepAliveBehavior = nil
        return configuration
    }
}
