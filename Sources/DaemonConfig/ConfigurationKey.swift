import TokenCore

/// One setting of ``DaemonConfiguration`` under its names in every source: the TOML key, the
/// `PAMTOKEN_*` environment variable and, for some, a command-line flag.
///
/// The cases are in the documented order — that of `DaemonConfiguration`'s properties and of
/// `etc/pamtoken/pamtoken.toml` — which is also the order of ``DaemonConfiguration/rendered()``.
enum ConfigurationKey: String, CaseIterable, Sendable {
    case listen
    case allowRemote = "allow_remote"
    case allowedHosts = "allowed_hosts"
    case allowedOrigins = "allowed_origins"
    case stateDir = "state_dir"
    case store
    case storePasswordFile = "store_password_file"
    case storePoolSize = "store_pool_size"
    case pamService = "pam_service"
    case pamThreads = "pam_threads"
    case pamLoginThreads = "pam_login_threads"
    case pamQueueLimit = "pam_queue_limit"
    case failureDelayMilliseconds = "failure_delay_ms"
    case issuer
    case audience
    case accessTTL = "access_ttl"
    case refreshTTL = "refresh_ttl"
    case sessionMaxAge = "session_max_age"
    case reuseGrace = "reuse_grace"
    case signingAlg = "signing_alg"
    case idleExit = "idle_exit"
    case logLevel = "log_level"
    case logFormat = "log_format"
    case durableCommits = "durable_commits"
    case peercredGrant = "peercred_grant"
    case peercredAllowRoot = "peercred_allow_root"
    case allowSystemUsers = "allow_system_users"
    case passwordGrant = "password_grant"
    case allowPasswordChange = "allow_password_change"
    case conversationTimeout = "conversation_timeout"
    case conversationLimit = "conversation_limit"
    case adminGroup = "admin_group"
    case throttleUserFailures = "throttle_user_failures"
    case throttlePeerFailures = "throttle_peer_failures"
    case throttleWindow = "throttle_window"
    case throttleMaxBackoff = "throttle_max_backoff"
    case gcInterval = "gc_interval"
    case idleConnectionTimeout = "idle_connection_timeout"
    /// The relying parties of browser sign-in: `[[clients]]` tables, last in the file as TOML requires
    /// of tables (every plain key after them would belong to the last table).
    case clients

    /// The kinds of value a key holds; they decide parsing and the wording of type errors.
    enum Kind {
        case seconds, milliseconds, count, boolean, string, strings, listen, signingAlgorithm, logLevel, logFormat, clients
    }

    /// The log levels of swift-log's `Logger.Level`, least severe first.
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The TOML key.
    var name: String { rawValue }

    /// `PAMTOKEN_` and the upper-cased key, e.g. `PAMTOKEN_ACCESS_TTL`.
    var environmentName: String { "PAMTOKEN_" + rawValue.uppercased() }

    /// The command-line flag of docs/configuration.md, for the keys that have one.
    var flag: String? {
        switch self {
        case .listen: "--listen"
        case .stateDir: "--state-dir"
        case .pamService: "--pam-service"
        case .issuer: "--issuer"
        case .audience: "--audience"
        case .accessTTL: "--access-ttl"
        case .refreshTTL: "--refresh-ttl"
        case .sessionMaxAge: "--session-max-age"
        case .reuseGrace: "--reuse-grace"
        case .signingAlg: "--signing-alg"
        case .idleExit: "--idle-exit"
        case .logLevel: "--log-level"
        case .logFormat: "--log-format"
        default: nil
        }
    }

    var kind: Kind {
        switch self {
        case .listen: .listen
        case .allowRemote, .durableCommits, .peercredGrant, .peercredAllowRoot, .allowSystemUsers, .passwordGrant, .allowPasswordChange: .boolean
        case .stateDir, .pamService, .issuer, .adminGroup, .store, .storePasswordFile: .string
        case .pamThreads, .pamLoginThreads, .pamQueueLimit, .throttleUserFailures, .throttlePeerFailures, .conversationLimit, .storePoolSize: .count
        case .failureDelayMilliseconds: .milliseconds
        case .audience, .allowedHosts, .allowedOrigins: .strings
        case .accessTTL, .refreshTTL, .sessionMaxAge, .reuseGrace, .idleExit, .throttleWindow, .throttleMaxBackoff,
            .gcInterval, .idleConnectionTimeout, .conversationTimeout:
            .seconds
        case .signingAlg: .signingAlgorithm
        case .logLevel: .logLevel
        case .logFormat: .logFormat
        case .clients: .clients
        }
    }

    /// What a value of this key must be, completing "must be …".
    var expectation: String {
        switch kind {
        case .seconds: "an integer number of seconds"
        case .milliseconds: "an integer number of milliseconds"
        case .count: "an integer"
        case .boolean: "true or false"
        case .string: "a string"
        case .strings: "a string or an array of strings"
        case .listen: #"an address or an array of addresses ("unix:/path" or "tcp:HOST:PORT")"#
        case .signingAlgorithm: "one of " + SigningAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
        case .logLevel: "one of " + Self.logLevels.joined(separator: ", ")
        case .logFormat: "text or json"
        case .clients: "an array of tables ([[clients]])"
        }
    }
}
