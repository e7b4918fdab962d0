import Foundation
public import TokenCore

/// Every setting of `pamtokend`, with the contract's defaults (docs/api.md#transports, docs/configuration.md).
///
/// Filled from built-in defaults, then the TOML file, then `PAMTOKEN_*` environment variables, then
/// command-line flags — each later source overriding the earlier (flags win). See
/// `ConfigurationLoader` and `etc/pamtoken/pamtoken.toml`, which documents every key.
public struct DaemonConfiguration: Sendable, Equatable {
    /// Where to listen. Key `listen` (array of "unix:/path" / "tcp:HOST:PORT"); flag `--listen` (repeatable).
    /// Ignored under systemd socket activation.
    public var listen: [ListenAddress] = [.unix(path: "/run/pamtoken/pamtoken.sock")]
    /// Allow a TCP listener on a non-loopback address. Key `allow_remote`.
    public var allowRemote = false
    /// Host names (besides loopback literals, `localhost` and the issuer's host) that requests to TCP
    /// listeners may name in `Host`: the names a reverse proxy in front uses. Key `allowed_hosts`.
    public var allowedHosts: [String] = []
    /// Origins (`scheme://host[:port]`, besides the issuer's) whose pages may send requests to TCP
    /// listeners. Key `allowed_origins`.
    public var allowedOrigins: [String] = []
    /// Holds `pamtoken.sqlite` and `keys/`. Key `state_dir`; flag `--state-dir`.
    public var stateDirectory = "/var/lib/pamtoken"
    /// Where sessions live: empty for SQLite in `state_dir` (one host), or a `postgresql://USER@HOST/DB`
    /// URL for a fleet sharing one issuer (docs/fleet.md). Key `store`.
    public var store = ""
    /// The file holding the PostgreSQL password (never the URL). Key `store_password_file`.
    public var storePasswordFile = ""
    /// Connections in the PostgreSQL pool. Key `store_pool_size`.
    public var storePoolSize = 10
    /// PAM service name. Key `pam_service`; flag `--pam-service`.
    public var pamService = "pamtoken"
    /// Threads running PAM account checks (every refresh) at once. Key `pam_threads`.
    public var pamThreads = 4
    /// Threads running password logins (`pam_authenticate`: a password hash each) at once. Key
    /// `pam_login_threads`; 0, the default, means ``loginThreads``'s automatic choice.
    public var pamLoginThreads = 0

    /// The login threads to start: `pam_login_threads`, or when 0 half the processors this process may
    /// use, at least one. A flood of password guesses then leaves the other half to everything else,
    /// and memory-hard hashes (yescrypt, 16 MiB each) stay few (docs/BENCHMARKS.md, isolation and memory).
    public var loginThreads: Int {
        pamLoginThreads > 0 ? pamLoginThreads : max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    }
    /// Logins that may wait for a PAM thread; beyond it, 429. Key `pam_queue_limit`.
    public var pamQueueLimit = 64
    /// Every failed login takes at least this long, whatever failed (milliseconds). Key `failure_delay_ms`.
    public var failureDelayMilliseconds = 1000
    /// `iss` of tokens and base URL of the metadata documents. Key `issuer`; flag `--issuer`.
    public var issuer = "http://127.0.0.1:8719"
    /// `aud` of tokens. Key `audience` (array); flag `--audience` (repeatable).
    public var audiences = ["pamtoken"]
    /// Seconds. Keys `access_ttl`, `refresh_ttl`, `session_max_age`, `reuse_grace`.
    public var accessTTL = 300
    public var refreshTTL = 604_800
    public var sessionMaxAge = 2_592_000
    public var reuseGrace = 0
    /// Key `signing_alg`; flag `--signing-alg`.
    public var signingAlgorithm = SigningAlgorithm.es256
    /// Exit after this many idle seconds; 0 = never. Key `idle_exit`; flag `--idle-exit`.
    public var idleExit = 0
    /// Key `log_level` (trace, debug, info, notice, warning, error, critical); flag `--log-level`.
    public var logLevel = "info"
    /// Key `log_format` (text or json); flag `--log-format`.
    public var logFormat = LogFormat.text
    /// `synchronous=FULL` (true, default) or NORMAL. Key `durable_commits`.
    public var durableCommits = true
    /// The opt-in password-less grant for Unix-socket peers. Keys `peercred_grant`, `peercred_allow_root`.
    public var peercredGrant = false
    public var peercredAllowRoot = false
    /// Password and peercred grants for root and system accounts (uid below `SYS_UID_MAX` + 1 of
    /// `/etc/login.defs`, and `nobody`). Key `allow_system_users`.
    public var allowSystemUsers = false
    /// The password grant (RFC 6749 §4.3) for local programs; browser sign-in does not need it. Key `password_grant`.
    public var passwordGrant = true
    /// Whether the login page and `POST /conversation` change an expired password (`pam_chauthtok`) when
    /// PAM asks for it; the password grant never does. Key `allow_password_change`.
    public var allowPasswordChange = true
    /// Seconds a PAM conversation waits for each answer before the login fails. Key `conversation_timeout`.
    public var conversationTimeout = 120
    /// How many PAM conversations may be open at once, each on a thread of its own; one peer gets at
    /// most 2 on the Unix socket, half on TCP. Key `conversation_limit`.
    public var conversationLimit = 16
    /// Members of this group may use `/admin/` (root always may). Empty = root only. Key `admin_group`.
    public var adminGroup = ""
    /// Throttling (docs/api.md#throttling). Failures allowed per user name / per peer before back-off starts,
    /// within `throttle_window` seconds; back-off starts at 1 s and doubles up to `throttle_max_backoff`.
    /// Keys `throttle_user_failures`, `throttle_peer_failures`, `throttle_window`, `throttle_max_backoff`.
    public var throttleUserFailures = 5
    public var throttlePeerFailures = 20
    public var throttleWindow = 900
    public var throttleMaxBackoff = 300
    /// Seconds between garbage-collection passes. Key `gc_interval`.
    public var gcInterval = 300
    /// Close connections idle for this many seconds. Key `idle_connection_timeout`.
    public var idleConnectionTimeout = 60
    /// The relying parties of browser sign-in (docs/browser-sign-in.md). Key `clients`: `[[clients]]` tables.
    public var clients: [OAuthClient] = []

    public init() {}

    /// How log lines are written.
    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case text
        case json
    }
}

/// A listening address: `unix:/path/to.sock` or `tcp:HOST:PORT` (IPv6 as `tcp:[::1]:8719`).
public enum ListenAddress: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }
}
