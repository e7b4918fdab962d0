import Foundation
import LinuxPAM
import Logging
import Prometheus
import TokenCore

extension Authority {
    /// The password check of the password grant: throttle, PAM (`pam_authenticate` + `pam_acct_mgmt`)
    /// answered with the password alone, the user database, the system-account rule. Every failure is
    /// the same `invalid_grant` after the same uniform delay — except, when `explained`, the two a
    /// program can do something about and that only the right password reaches: a stack that asks for
    /// more than a password, and a password that must be changed first.
    func authenticatePassword(
        user: String, password: String, peer: Peer, explained: Bool = false
    ) async throws(AuthorityFailure)
        -> UserIdentity
    {
        guard password.utf8.count <= 4096 else { throw .invalidRequest("username or password too long") }
        let (attempt, resolved) = try await admitLogin(user: user, peer: peer)
        let start = ContinuousClock.now
        try await refuseSystemAccount(resolved, attempt: attempt, user: user, peer: peer, startedAt: start)
        let outcome = await pam(loginAdmission) { () async throws(PAMError) -> String in
            try await self.authenticator.authenticate(user: user, password: password, remoteHost: peer.remoteHost)
        }
        guard let outcome else {
            attempt.abandon()
            throw busy(peer: peer)
        }
        return try await settleLogin(
            outcome.map { PAMReport(user: $0) }, attempt: attempt, user: user, resolved: resolved, peer: peer, startedAt: start,
            explained: explained)
    }

    /// The checks before PAM is asked: lengths, then the throttle's reservation, under every spelling
    /// of the name known (as typed and as the user database resolves it: with a case-insensitive NSS
    /// back end `ALICE` and `alice` are one account and one count).
    func admitLogin(user: String, peer: Peer) async throws(AuthorityFailure) -> (LoginAttempt, UserIdentity?) {
        guard user.utf8.count <= 256 else { throw .invalidRequest("username or password too long") }
        let resolved = await users.user(named: user)
        switch throttle.begin(users: [user] + (resolved.map { [$0.user] } ?? []), peer: peer.throttleKey) {
        case .blocked(let wait):
            metrics.loginsThrottled.increment()
            logger.warning(
                "login throttled", metadata: ["user": "\(Self.printable(user))", "peer": "\(peer)", "retry_after": .stringConvertible(wait)])
            throw .tooManyAttempts(retryAfter: wait)
        case .admitted(let attempt):
            return (attempt, resolved)
        }
    }

    /// PAM is never asked for root's or a service account's password: no oracle for it here.
    func refuseSystemAccount(
        _ resolved: UserIdentity?, attempt: LoginAttempt, user: String, peer: Peer, startedAt start: ContinuousClock.Instant
    ) async throws(AuthorityFailure) {
        guard let resolved, !mayLogIn(uid: resolved.uid) else { return }
        throw await failLogin(
            attempt, user: user, peer: peer, reason: "uid \(resolved.uid) is a system account (allow_system_users is off)",
            systemError: false, startedAt: start)
    }

    /// What PAM's answer means for the login: the identity of the user PAM settled on, who must be in
    /// the user database and a person's account; or the failure, counted and delayed.
    func settleLogin(
        _ outcome: Result<PAMReport, PAMError>, attempt: LoginAttempt, user: String, resolved: UserIdentity?, peer: Peer,
        startedAt start: ContinuousClock.Instant, explained: Bool = false
    ) async throws(AuthorityFailure) -> UserIdentity {
        let name: String
        switch outcome {
        case .failure(let error):
            let failure = await failLogin(
                attempt, user: user, settledAs: error.settledUser, peer: peer, reason: "\(error)", systemError: !error.isUserFailure,
                startedAt: start)
            throw Self.explain(error, explained: explained) ?? failure
        case .success(let report):
            name = report.user
        }
        // The name PAM settled on is usually the one already resolved before PAM: no second lookup then.
        guard let identity = resolved?.user == name ? resolved : await users.user(named: name) else {
            throw await failLogin(
                attempt, user: user, settledAs: name, peer: peer, reason: "PAM accepted a user the user database does not know",
                systemError: true, startedAt: start)
        }
        guard mayLogIn(uid: identity.uid) else {
            throw await failLogin(
                attempt, user: user, settledAs: name, peer: peer, reason: "PAM mapped the name to uid \(identity.uid), a system account",
                systemError: false, startedAt: start)
        }
        attempt.succeeded(as: [name])
        metrics.loginsOK.increment()
        return identity
    }

    /// The failures worth a description of their own. Only the right password reaches the first two
    /// (with `required`, not `requisite`, before the second factor, the first too: docs/pam-stacks.md);
    /// the third only after the right password and the person's own answers.
    static func explain(_ error: PAMError, explained: Bool) -> AuthorityFailure? {
        switch error {
        case .passwordNotChanged:
            let said = error.moduleMessages.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .passwordNotChanged(said.isEmpty ? "the new password was refused" : said.joined(separator: " "))
        case .conversationEnded:
            return .invalidGrant(Authority.conversationEnded)
        case .moreInputRequired where explained:
            return .invalidGrant(
                "this account's PAM stack asks for more than a password (a one-time code?): sign in with 'pamtoken login' or the login page")
        case .passwordExpired where explained && error.stage == .accountManagement:
            return .invalidGrant("the password has expired and must be changed: sign in with 'pamtoken login' or the login page")
        default:
            return nil
        }
    }

    /// Whether a token may be issued to this uid by a grant that proves a person: root and system
    /// accounts (below the first user uid of `/etc/login.defs`, and `nobody`) only when configured.
    func mayLogIn(uid: UInt32) -> Bool {
        settings.allowSystemUsers || (uid >= settings.firstUserUID && !Self.systemUIDsAboveUsers.contains { $0.contains(uid) })
    }

    /// System uids above the first user uid: systemd's dynamic service users (61184–65519),
    /// `nobody` (65534) and the 16- and 32-bit "no uid" values. Not `UID_MAX`: directory users (SSSD,
    /// FreeIPA, AD id mapping) commonly have uids far above it.
    static let systemUIDsAboveUsers: [ClosedRange<UInt32>] = [61184...65519, 65534...65535, 4_294_967_294...4_294_967_295]

    /// Runs a PAM call if `admission` allows, timing it. nil when PAM is saturated.
    func pam<T: Sendable>(_ admission: PAMAdmission, _ call: @Sendable () async throws(PAMError) -> T) async -> Result<T, PAMError>? {
        await admission.run { () async -> Result<T, PAMError> in
            let start = ContinuousClock.now
            defer { metrics.pamDuration.record(ContinuousClock.now - start) }
            do throws(PAMError) {
                return .success(try await call())
            } catch {
                return .failure(error)
            }
        }
    }

    func busy(peer: Peer) -> AuthorityFailure {
        let inFlight = loginAdmission.current + accountAdmission.current
        logger.warning("PAM saturated: login refused", metadata: ["peer": "\(peer)", "in_flight": .stringConvertible(inFlight)])
        metrics.loginsThrottled.increment()
        return .tooManyAttempts(retryAfter: 1)
    }

    func failLogin(
        _ attempt: LoginAttempt, user: String, settledAs settled: String? = nil, peer: Peer, reason: String, systemError: Bool,
        startedAt start: ContinuousClock.Instant
    ) async -> AuthorityFailure {
        attempt.failed(as: settled.map { [$0] } ?? [])
        metrics.loginsFailed.increment()
        let metadata: Logger.Metadata = ["user": "\(Self.printable(user))", "peer": "\(peer)", "reason": "\(reason)"]
        if systemError {
            logger.error("login failed: PAM or user database error", metadata: metadata)
        } else {
            logger.notice("login failed", metadata: metadata)
        }
        await delayFailure(startedAt: start)
        return .invalidGrant("invalid username or password")
    }

    /// A user name as typed, made safe for one log line (people paste passwords into the wrong field;
    /// we cannot tell, but we can keep it short and free of control characters).
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }
}
