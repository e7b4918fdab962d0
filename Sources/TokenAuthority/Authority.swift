import Foundation
public import Logging
public import TokenCore
public import TokenStore

/// The daemon's domain logic behind the routes: logins, refreshes, Bearer checks, revocation and
/// introspection. Routes only parse requests and render results; every rule of docs/api.md#token-endpoint–§3.3
/// and §4 is applied here, where it can be tested without HTTP.
public final class Authority: Sendable {
    /// Behaviour that is configuration rather than token policy.
    public struct Settings: Sendable {
        /// Minimum duration of a failed login, whatever failed (uniform timing: no user enumeration).
        public var failureDelay: Duration
        public var peercredGrant: Bool
        public var peercredAllowRoot: Bool
        /// Members may use `/admin/`; nil means root only.
        public var adminGroup: String?
        /// Account checks (every refresh) that run at once.
        public var pamThreads: Int
        /// Password logins that run at once: apart from the account checks, so that a flood of
        /// guesses leaves refreshes their own threads and admission.
        public var pamLoginThreads: Int
        /// Calls that may wait for a thread, for logins and for account checks each.
        public var pamQueueLimit: Int
        /// Whether root and system accounts may get tokens by password or peer credentials.
        public var allowSystemUsers: Bool
        /// The lowest uid of a person's account (`SYS_UID_MAX` + 1 from `/etc/login.defs`).
        public var firstUserUID: UInt32
        /// Whether the password grant (RFC 6749 §4.3, deprecated by RFC 9700) is offered.
        public var passwordGrant: Bool
        /// Whether a sign-in that can ask (the login page, `POST /conversation`) changes an expired password.
        public var allowPasswordChange: Bool
        /// How long a PAM conversation waits for each answer.
        public var conversationTimeout: Duration
        /// How many conversations may be open at once (the conversation pool's threads).
        public var conversationLimit: Int

        public init(
            failureDelay: Duration = .seconds(1), peercredGrant: Bool = false, peercredAllowRoot: Bool = false,
            adminGroup: String? = nil, pamThreads: Int = 4, pamLoginThreads: Int = 4, pamQueueLimit: Int = 64, allowSystemUsers: Bool = false,
            firstUserUID: UInt32 = 1000, passwordGrant: Bool = true, allowPasswordChange: Bool = true,
            conversationTimeout: Duration = .seconds(120), conversationLimit: Int = 16
        ) {
            self.conversationLimit = conversationLimit
            self.allowPasswordChange = allowPasswordChange
            self.conversationTimeout = conversationTimeout
            self.passwordGrant = passwordGrant
            self.allowSystemUsers = allowSystemUsers
            self.firstUserUID = firstUserUID
            self.failureDelay = failureDelay
            self.peercredGrant = peercredGrant
            self.peercredAllowRoot = peercredAllowRoot
            self.adminGroup = adminGroup
            self.pamThreads = pamThreads
            self.pamLoginThreads = pamLoginThreads
            self.pamQueueLimit = pamQueueLimit
        }
    }

    public let policy: TokenPolicy
    public let keyRing: KeyRing
    /// In a fleet, how this host shares its public keys and learns the others'; nil on a host of its own.
    public let fleetKeys: FleetKeys?
    public let store: any SessionStorage
    public let settings: Settings
    public let metrics: ServerMetrics
    let issuer: TokenIssuer
    let verifier: TokenVerifier
    let authenticator: any Authenticator
    let users: any UserDirectory
    let throttle: LoginThrottle
    /// Bounds password logins (running and waiting).
    let loginAdmission: PAMAdmission
    /// Bounds account checks apart, so that refreshes are not refused while logins queue.
    let accountAdmission: PAMAdmission
    let clock: any WallClock
    let logger: Logger
    /// The relying parties of `[[clients]]` and their authentication.
    public let clients: ClientRegistry
    /// The PAM conversations waiting for a person's answer.
    let conversations: ConversationTable
    /// Seals authorization requests into the login form.
    let loginSeal: LoginRequestSeal
    let sleepUntil: Sleeper

    /// Waits until a deadline. Injectable so that tests can see the deadline a failed login asks for.
    public typealias Sleeper = @Sendable (ContinuousClock.Instant) async -> Void

    public init(
        policy: TokenPolicy, keyRing: KeyRing, store: any SessionStorage, authenticator: any Authenticator, users: any UserDirectory,
        throttle: LoginThrottle, settings: Settings, metrics: ServerMetrics, clock: any WallClock, logger: Logger,
        clients: ClientRegistry = ClientRegistry(), fleetKeys: FleetKeys? = nil,
        sleepUntil: @escaping Sleeper = { try? await Task.sleep(until: $0, clock: .continuous) }
    ) {
        self.sleepUntil = sleepUntil
        self.clients = clients
        self.loginSeal = LoginRequestSeal(clock: clock)
        self.conversations = ConversationTable(limit: settings.conversationLimit)
        self.policy = policy
        self.keyRing = keyRing
        self.fleetKeys = fleetKeys
        self.store = store
        self.authenticator = authenticator
        self.users = users
        self.throttle = throttle
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.issuer = TokenIssuer(policy: policy, keyRing: keyRing, clock: clock)
        var refreshKeys: (@Sendable () async -> Bool)?
        if let fleetKeys { refreshKeys = { await fleetKeys.refreshAfterUnknownKey() } }
        self.verifier = TokenVerifier(policy: policy, keyRing: keyRing, clock: clock, cache: VerificationCache(), refreshKeys: refreshKeys)
        self.loginAdmission = PAMAdmission(threads: settings.pamLoginThreads, queueLimit: settings.pamQueueLimit)
        self.accountAdmission = PAMAdmission(threads: settings.pamThreads, queueLimit: settings.pamQueueLimit)
    }

    /// Signs an access token for a session and packages the response.
    func grant(
        _ identity: UserIdentity, session: SessionRecord, refreshToken: RefreshToken, refreshExpiresAt: Date
    ) async throws(AuthorityFailure)
        -> TokenGrant
    {
        let context = SessionContext(
            sessionID: session.id, authTime: session.createdDate, authMethod: session.authMethod, clientID: session.clientID,
            scope: session.scope)
        // A registered client's token is for that client (and the daemon's /userinfo) alone: its audience is
        // the client, so /auth, PAMTokenAuth services and every other verifier of `audience` refuse it, and
        // it carries the groups and name only when the scope does.
        var identity = identity
        var audiences: [String]?
        if clients.client(session.clientID) != nil {
            let scopes = Set((session.scope ?? "").split(separator: " "))
            audiences = [session.clientID]
            if !scopes.contains("groups") { identity.groups = [] }
            if !scopes.contains("profile") { identity.name = nil }
        }
        let issued: TokenIssuer.Issued
        do {
            issued = try await issuer.issue(for: identity, in: context, audiences: audiences)
        } catch {
            logger.error("signing an access token failed", metadata: ["error": "\(error)"])
            throw .temporarilyUnavailable
        }
        let now = clock.now
        return TokenGrant(
            accessToken: issued.token, expiresIn: Int(issued.expiresAt.timeIntervalSince(now).rounded()),
            refreshToken: refreshToken.value, refreshTokenExpiresIn: max(0, Int(refreshExpiresAt.timeIntervalSince(now).rounded())),
            scope: session.scope, user: identity.user)
    }

    /// Runs a store operation; a database failure is logged and becomes 503, never a 500 with details.
    func storage<T: Sendable>(_ what: String, _ operation: () async throws -> T) async throws(AuthorityFailure) -> T {
        do {
            return try await operation()
        } catch {
            // String(reflecting:): postgres-nio's description is one fixed sentence; its reflection says
            // what the server answered (bound values are printed as ****, never the hashes).
            logger.error("session store failed", metadata: ["operation": "\(what)", "error": "\(String(reflecting: error))"])
            throw .temporarilyUnavailable
        }
    }

    /// Holds a failed login until `failureDelay` has passed since it started, so failures take the same
    /// time whether the user is unknown (~1 ms) or the password wrong (~50 ms under yescrypt).
    func delayFailure(startedAt start: ContinuousClock.Instant) async {
        await sleepUntil(start.advanced(by: settings.failureDelay))
    }
}
