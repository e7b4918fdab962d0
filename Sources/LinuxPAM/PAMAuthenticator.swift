import CPAM
import NIOPosix

/// Checks passwords and accounts with PAM on a bounded pool of dedicated threads.
///
/// PAM is blocking C: `pam_unix` hashes with yescrypt (tens of milliseconds), LDAP or SSSD modules
/// wait on the network. Running that on NIO's event loops or on the Swift cooperative pool would stall
/// every other request, so each call hops to an `NIOThreadPool` of our own whose size bounds how many
/// PAM transactions run at once (the same approach as hummingbird-auth's bcrypt helpers).
///
/// The pools' threads run at a lower scheduling priority: a flood of password guesses can keep every
/// login thread hashing, and on a machine with few cores that CPU would otherwise be taken from the
/// event loops that serve token refreshes, introspection and the JWKS. Logins and conversations run
/// at the lowest (``loginNiceValue``) and use whatever CPU is idle; account checks, on the path of
/// every refresh, at ``workerNiceValue`` (docs/BENCHMARKS.md, isolation).
public final class PAMAuthenticator: Sendable {
    /// The nice value of the account-check threads (0 is normal, 19 the lowest priority): below the
    /// event loops, above password hashing, since a refresh waits for its check.
    public static let workerNiceValue: Int32 = 10
    /// The nice value of the login and conversation threads. At 10, one yescrypt hash still took
    /// enough of a core from the event loops to push introspection's p99 past 5 ms on two cores; at
    /// 19 (weight 15 against 1,024) a login gets what the rest leaves and little more when the
    /// machine is busy, which is what a guessing flood deserves.
    public static let loginNiceValue: Int32 = 19

    /// The PAM service name, i.e. the file under `/etc/pam.d/`.
    public let service: String
    /// How many account checks may run at the same time.
    public let threadCount: Int
    /// How many password logins may run at the same time.
    public let loginThreadCount: Int
    private let pool: NIOThreadPool
    /// Password logins hash (pam_unix: yescrypt, tens of milliseconds and 16 MiB each): on threads of
    /// their own, fewer than the cores, so that a flood of guesses neither takes every core from the
    /// event loops nor keeps the account checks of refreshes waiting behind it.
    private let loginPool: NIOThreadPool
    /// Keeps the service's modules loaded between transactions (most of a refresh's cost otherwise).
    private let residentModules: PAMResidentModules
    /// Conversations wait for people, who take seconds: on threads of their own, so that however many
    /// wait, refreshes and password logins still find one of ``threadCount`` free.
    private let conversationPool: NIOThreadPool

    /// Starts the pools' threads. Call ``shutdown()`` when done.
    ///
    /// - Parameter threads: account checks at once (``checkAccount(user:remoteHost:)``).
    /// - Parameter loginThreads: password logins at once (``authenticate(user:password:remoteHost:)``);
    ///   `threads` when nil.
    /// - Parameter conversationThreads: how many conversations (``converse(user:password:remoteHost:changeExpiredPassword:dialog:)``)
    ///   may run at once; callers must not start more.
    public init(service: String, threads: Int, loginThreads: Int? = nil, conversationThreads: Int = 1) {
        precondition(
            threads > 0 && (loginThreads ?? 1) > 0 && conversationThreads > 0, "the PAM thread pools need at least one thread each")
        self.service = service
        self.threadCount = threads
        self.loginThreadCount = loginThreads ?? threads
        self.loginPool = NIOThreadPool(numberOfThreads: loginThreads ?? threads)
        self.loginPool.start()
        self.residentModules = PAMResidentModules(service: service)
        self.pool = NIOThreadPool(numberOfThreads: threads)
        self.pool.start()
        self.conversationPool = NIOThreadPool(numberOfThreads: conversationThreads)
        self.conversationPool.start()
    }

    /// `pam_authenticate` then `pam_acct_mgmt`: a password login.
    ///
    /// - Parameters:
    ///   - remoteHost: set as `PAM_RHOST`, so modules that log or throttle by origin (pam_faillock) see the peer.
    /// - Throws: ``PAMError``.
    public func authenticate(user: String, password: String, remoteHost: String? = nil) async throws(PAMError) -> PAMReport {
        try await run(
            PAMTransaction(service: service, user: user, remoteHost: remoteHost), .authenticateAndCheckAccount, password, on: loginPool,
            nice: Self.loginNiceValue)
    }

    /// `pam_acct_mgmt` alone: whether an already authenticated user may still use the system (run at
    /// every refresh, so that expiring or locking an account ends its sessions).
    /// - Throws: ``PAMError``.
    public func checkAccount(user: String, remoteHost: String? = nil) async throws(PAMError) -> PAMReport {
        try await run(PAMTransaction(service: service, user: user, remoteHost: remoteHost), .checkAccount, nil, on: pool, nice: Self.workerNiceValue)
    }

    /// Starts a login whose prompts go to a person through `dialog`, and returns at once: the prompts
    /// and the outcome arrive as `dialog`'s events. The transaction holds one thread
    /// of its own (the conversation pool) until it ends — at most ``PAMDialog/timeout`` per unanswered
    /// batch of prompts.
    ///
    /// - Parameters:
    ///   - password: typed in advance (the login page's first form): answers the first echo-off prompt.
    ///   - changeExpiredPassword: run `pam_chauthtok` when `pam_acct_mgmt` says the password must change.
    public func converse(
        user: String, password: String?, remoteHost: String? = nil, changeExpiredPassword: Bool, dialog: PAMDialog
    ) {
        let transaction = PAMTransaction(service: service, user: user, remoteHost: remoteHost)
        let steps: PAMTransaction.Steps = changeExpiredPassword ? .authenticateChangingExpiredPassword : .authenticateAndCheckAccount
        conversationPool.submit { state in
            guard case .active = state else {
                // The pool has been shut down: the daemon is stopping.
                dialog.end(.failure(.systemError))
                return
            }
            _ = cpam_lower_thread_priority(Self.loginNiceValue)
            dialog.end(Result { () throws(PAMError) -> PAMReport in try transaction.run(steps, password: password, dialog: dialog) })
        }
    }

    /// Stops the threads once running transactions have finished.
    public func shutdown() async {
        try? await pool.shutdownGracefully()
        try? await loginPool.shutdownGracefully()
        try? await conversationPool.shutdownGracefully()
        residentModules.release()
    }

    private func run(
        _ transaction: PAMTransaction, _ steps: PAMTransaction.Steps, _ password: String?, on pool: NIOThreadPool, nice: Int32
    ) async throws(PAMError)
        -> PAMReport
    {
        let result: Result<PAMReport, PAMError>
        do {
            result = try await pool.runIfActive {
                // Idempotent and cheap (one syscall); the pool gives no hook to run it once per thread.
                _ = cpam_lower_thread_priority(nice)
                return Result { () throws(PAMError) -> PAMReport in try transaction.run(steps, password: password) }
            }
        } catch {
            // The pool has been shut down: the daemon is stopping.
            throw PAMError.systemError
        }
        return try result.get()
    }
}
