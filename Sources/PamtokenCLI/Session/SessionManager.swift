import Foundation
import PamtokenWire
import TokenCore

/// Logging in, and keeping a valid access token at hand: the logic behind `login`, `token` and every
/// command that needs a Bearer token.
struct SessionManager: Sendable {
    let api: any DaemonService
    let file: SessionFile
    let context: CLIContext

    init(address: DaemonAddress, context: CLIContext) throws(CLIError) {
        self.api = context.daemon(address)
        self.file = try SessionFile(address: address, context: context)
        self.context = context
    }

    private init(api: any DaemonService, file: SessionFile, context: CLIContext) {
        self.api = api
        self.file = file
        self.context = context
    }

    /// The manager for the session this daemon knows the user by, wherever it was made: a login over
    /// the socket is found again through `--url` (and the other way round), since both reach one issuer.
    static func locating(address: DaemonAddress, context: CLIContext) async throws -> SessionManager {
        SessionManager(api: context.daemon(address), file: try await SessionFile.locate(address: address, context: context), context: context)
    }

    private var now: Date { context.clock.now }

    /// `grant_type=password`, then the session is stored. A session this file held before is revoked on
    /// the daemon afterwards (best effort), so logging in again does not leave a live family behind.
    func login(user: String, password: String) async throws -> StoredSession {
        try await login { try await api.passwordGrant(user: user, password: password) }
    }

    /// `POST /conversation`: every prompt of the PAM stack (password, one-time code, a new password for
    /// an expired one) is asked on the terminal in PAM's words, then the session is stored as after a
    /// password grant. Falls back to "Password: " and the password grant with a daemon that has no
    /// conversations.
    func loginConversing(user: String) async throws -> StoredSession {
        let terminal = context.terminal
        return try await login { () async throws -> TokenResponse in
            guard var step = try await api.converse([("username", user), ("client_id", "pamtoken")]) else {
                return try await api.passwordGrant(user: user, password: try terminal.readSecret(prompt: "Password: "))
            }
            while case .prompt(let prompt) = step {
                for message in prompt.messages { terminal.show(terminalSafe(message.text)) }
                let question = terminalSafe(prompt.prompt.text)
                let answer = prompt.prompt.isSecret ? try terminal.readSecret(prompt: question) : try terminal.readLine(prompt: question)
                guard let next = try await api.converse([("conversation", prompt.conversation), ("answer", answer)]) else {
                    throw CLIError.refused("the daemon stopped answering the conversation")
                }
                step = next
            }
            guard case .done(let response) = step else { throw CLIError.refused("the daemon stopped answering the conversation") }
            for message in response.messages ?? [] { terminal.show(terminalSafe(message.text)) }
            return response
        }
    }

    /// The peer-credential grant, then the session is stored as after a password login.
    func loginWithPeerCredentials() async throws -> StoredSession {
        try await login { try await api.peerCredentialsGrant() }
    }

    private func login(_ grant: () async throws -> TokenResponse) async throws -> StoredSession {
        let response: TokenResponse
        do {
            response = try await grant()
        } catch let error as DaemonError where error.isInvalidGrant || error.code == "invalid_request" || error.code == "unauthorized_client" {
            throw CLIError.refused("login failed: \(error.detail ?? "wrong user name or password")")
        } catch let error as DaemonError where error.code == "unsupported_grant_type" {
            throw CLIError.refused("login failed: the daemon does not offer this way of logging in (\(error.detail ?? "unsupported grant"))")
        }
        let session = try StoredSession(response: response, address: api.address, now: now)
        let previous = try await file.withLock { () async throws -> StoredSession? in
            let previous = try? file.load()
            try file.save(session)
            return previous
        }
        if let previous, previous.sessionID != session.sessionID {
            try? await api.revoke(previous.refreshToken)
        }
        return session
    }

    /// Asks the daemon whether the session is still live (`GET /userinfo` with its access token): a
    /// session revoked elsewhere — `pamtoken admin revoke`, another device, an expired account — is
    /// found out here rather than by the next service that refuses the token.
    /// - Throws: ``CLIError/refused(_:)`` "session revoked" when the daemon says so.
    func confirmOnline(_ session: StoredSession) async throws {
        do {
            _ = try await api.userinfo(bearer: session.accessToken)
        } catch let error as DaemonError where error.status == 401 {
            throw CLIError.sessionRevoked
        }
    }

    /// A session whose access token has more than `minValid` seconds left, refreshing if needed.
    ///
    /// Without a session file nothing is locked or created. The common case reads the file without locking (it is replaced atomically, so a reader sees the
    /// old or the new version, never half of one). Refreshing happens under the lock, after re-reading:
    /// another process may have refreshed while we waited, and then its token is ours too.
    func validSession(minValid: Int, interactiveLogin: Bool) async throws -> StoredSession {
        guard let current = try file.load() else {
            return try await loginInteractively(allowed: interactiveLogin)
        }
        if current.accessSecondsLeft(at: now) > Int64(minValid) {
            return current
        }
        let refreshed = try await file.withLock { () async throws -> StoredSession? in
            guard let session = try file.load() else { return nil }
            if session.accessSecondsLeft(at: now) > Int64(minValid) { return session }
            return try await refresh(session)
        }
        if let refreshed { return refreshed }
        return try await loginInteractively(allowed: interactiveLogin)
    }

    /// Runs a Bearer request with a valid access token. A 401 means the daemon no longer accepts the
    /// cached token (its session was revoked elsewhere, or the clock jumped): refresh once and retry,
    /// which either works or ends in the clear "session has ended" message instead of a bare 401.
    func withAccessToken<T>(_ body: (String) async throws -> T) async throws -> T {
        let session = try await validSession(minValid: 30, interactiveLogin: true)
        do {
            return try await body(session.accessToken)
        } catch let error as DaemonError where error.status == 401 {
            let refreshed = try await validSession(minValid: Int(Int32.max), interactiveLogin: false)
            return try await body(refreshed.accessToken)
        }
    }

    /// Exchanges the refresh token; the new pair is on disk before anyone sees the new access token, so
    /// a crash after this point cannot lose the rotation (docs/api.md#refresh-token-grant: the old token is now used).
    /// Call with the lock held.
    private func refresh(_ session: StoredSession) async throws -> StoredSession {
        if let expiry = session.refreshTokenExpiresAt, expiry <= Int64(now.timeIntervalSince1970) {
            try? file.delete()
            throw CLIError.refused("the session has expired; run 'pamtoken login'")
        }
        let response: TokenResponse
        do {
            response = try await api.refreshGrant(session.refreshToken)
        } catch let error as DaemonError where error.isInvalidGrant {
            // Revoked, expired, or refused by PAM's account check: the local copy is useless now.
            try? file.delete()
            throw CLIError.refused("the session has ended (the daemon refused to refresh it); run 'pamtoken login'")
        }
        // Saved under the file's own address, which may be another way to the same daemon than `api`'s.
        let next = try StoredSession(response: response, address: file.paths.address, now: now, loggedInAt: session.loggedInAt)
        try file.save(next)
        return next
    }

    /// Not logged in: with a person at a terminal, ask for the password (as `ssh` would); without one,
    /// the one-line hint, so a script or kubectl fails fast instead of hanging on a prompt.
    private func loginInteractively(allowed: Bool) async throws -> StoredSession {
        guard allowed, let user = context.userName, context.terminal.isInteractive else { throw CLIError.notLoggedIn }
        context.note("pamtoken: not logged in to \(api.address); logging in as \(user)")
        return try await loginConversing(user: user)
    }
}
