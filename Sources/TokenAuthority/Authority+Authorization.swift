import Foundation
import Logging
public import TokenCore
import TokenStore

extension Authority {
    /// How long an authorization code may wait for its exchange (RFC 9700 §4.4: short).
    public static let codeLifetime: Int64 = 60

    /// `GET /authorize` (docs/api.md#authorization-endpoint): checks the client and redirect URI first —
    /// if they do not match a registration the user gets an error page, never a redirect — then reports
    /// any other fault to the client, then signs in with the browser session or asks for the password.
    ///
    /// - Parameters:
    ///   - problem: the first fault the query parser found (an RFC 6749 §4.1.2.1 code and description).
    ///   - browserSession: the single-sign-on cookie's value, when the browser sent a well-formed one.
    public func beginAuthorization(
        _ request: AuthorizationRequest, problem: (code: String, description: String)?, browserSession cookie: BrowserSessionSecret?,
        peer: Peer
    ) async -> AuthorizationStep {
        guard let client = clients.client(request.clientID) else {
            return .refuse(.badRequest("This application is not registered with pamtoken (unknown client_id)."))
        }
        guard client.isRegistered(redirectURI: request.redirectURI) else {
            return .refuse(.badRequest("The application asked to return to an address it has not registered (redirect_uri)."))
        }
        if let problem {
            return .redirect(errorRedirect(request, code: problem.code, description: problem.description))
        }
        if !request.forceLogin, let cookie, let session = await liveBrowserSession(cookie, maxAge: request.maxAge) {
            return await continueSignedIn(request, client: client, browserSession: session, peer: peer)
        }
        if request.noPrompt {
            return .redirect(errorRedirect(request, code: "login_required", description: "the user must sign in"))
        }
        return .login(request, clientName: client.name)
    }

    /// A browser session for the user a login page's conversation signed in, then the code for the
    /// client (a new cookie value every time: no fixation).
    func startBrowserSession(
        _ identity: UserIdentity, for request: AuthorizationRequest, peer: Peer
    ) async throws(AuthorityFailure)
        -> (BrowserSessionSecret, AuthorizationStep)
    {
        guard let client = clients.client(request.clientID), client.isRegistered(redirectURI: request.redirectURI) else {
            throw .invalidRequest("the application is no longer registered")
        }
        let cookie = BrowserSessionSecret.generate()
        let new = NewSession(
            user: identity.user, uid: identity.uid, authMethod: .password, clientID: OAuthClient.browserSessionClientID,
            peer: peer.remoteHost, maxAge: policy.sessionMaxAge, refreshTTL: policy.sessionMaxAge)
        let session = try await storage("create browser session") { try await self.store.createBrowserSession(new, cookie: cookie) }
        logger.info(
            "browser sign-in", metadata: ["user": "\(identity.user)", "session": "\(session.id)", "client": "\(client.id)", "peer": "\(peer)"])
        return (cookie, await issueCode(request, client: client, identity: identity, browserSession: session))
    }

    /// The live browser session a cookie names, if its login is recent enough for `max_age`.
    private func liveBrowserSession(_ cookie: BrowserSessionSecret, maxAge: Int?) async -> SessionRecord? {
        guard let session = try? await store.browserSession(cookie: cookie) else { return nil }
        if let maxAge, clock.now.timeIntervalSince(session.createdDate) > TimeInterval(maxAge) { return nil }
        return session
    }

    /// Single sign-on: the user of the browser session, re-checked (same uid, a person's account,
    /// `pam_acct_mgmt`) before every new code, so that locking or expiring an account stops new
    /// sign-ins at once even with a live cookie.
    private func continueSignedIn(
        _ request: AuthorizationRequest, client: OAuthClient, browserSession session: SessionRecord, peer: Peer
    ) async -> AuthorizationStep {
        guard let identity = await users.user(named: session.user), identity.uid == session.uid, mayLogIn(uid: identity.uid) else {
            await endBrowserSession(session, reason: "user no longer exists with uid \(session.uid)")
            return .login(request, clientName: client.name)
        }
        do {
            try await checkAccount(session.user, peer: peer, atRefresh: false)
        } catch .invalidGrant {
            await endBrowserSession(session, reason: "account refused by PAM")
            // A silent request (prompt=none) gets its answer at the client, which shows no page to wait on.
            if request.noPrompt { return .redirect(errorRedirect(request, code: "login_required", description: "the user must sign in")) }
            return .refuse(.forbidden("This account may not sign in now."))
        } catch .tooManyAttempts(let seconds) {
            return .refuse(.tooManyAttempts(retryAfter: seconds))
        } catch {
            return .refuse(.unavailable)
        }
        return await issueCode(request, client: client, identity: identity, browserSession: session)
    }

    /// The group rule, then a one-time code for the client, then the redirect that carries it.
    private func issueCode(
        _ request: AuthorizationRequest, client: OAuthClient, identity: UserIdentity, browserSession: SessionRecord
    ) async -> AuthorizationStep {
        if !client.allowedGroups.isEmpty, !client.allowedGroups.contains(where: identity.groups.contains) {
            logger.notice("sign-in refused by allowed_groups", metadata: ["user": "\(identity.user)", "client": "\(client.id)"])
            if request.noPrompt {
                return .redirect(errorRedirect(request, code: "access_denied", description: "the user may not sign in to this client"))
            }
            return .refuse(.forbidden("Your account is not allowed to sign in to \(client.name)."))
        }
        let code = AuthorizationCode.generate()
        let now = Int64(clock.now.timeIntervalSince1970)
        let record = AuthorizationCodeRecord(
            hash: code.hash, clientID: client.id, redirectURI: request.redirectURI, codeChallenge: request.codeChallenge, nonce: request.nonce,
            scope: client.grantedScopes(request.scopes).joined(separator: " "), browserSessionID: browserSession.id, createdAt: now,
            expiresAt: now + Self.codeLifetime)
        do {
            try await store.storeCode(record)
        } catch {
            logger.error("session store failed", metadata: ["operation": "store code", "error": "\(error)"])
            return .refuse(.unavailable)
        }
        return .redirect(RedirectURI.adding(["code": code.value, "state": request.state, "iss": policy.issuer], to: request.redirectURI))
    }

    /// The redirect that reports an error to the client (RFC 6749 §4.1.2.1, RFC 9207's `iss`).
    func errorRedirect(_ request: AuthorizationRequest, code: String, description: String) -> String {
        RedirectURI.adding(
            ["error": code, "error_description": description, "state": request.state, "iss": policy.issuer], to: request.redirectURI)
    }

    /// Ends a browser session and, by the store's cascade, the sessions relying parties got from it.
    func endBrowserSession(_ session: SessionRecord, reason: String) async {
        _ = try? await store.revokeSession(id: session.id, reason: reason)
        logger.notice("browser session ended", metadata: ["user": "\(session.user)", "session": "\(session.id)", "reason": "\(reason)"])
    }

    /// The hidden `request` and `csrf` values of a login form for `request`, bound to the login cookie.
    public func sealLoginRequest(_ request: AuthorizationRequest, binding: String) -> (request: String, csrf: String) {
        loginSeal.seal(request, binding: binding)
    }

    /// The request a login form carried, or nil when the form was not this daemon's for this browser.
    public func openLoginRequest(_ sealed: String, csrf: String, binding: String) -> AuthorizationRequest? {
        loginSeal.open(request: sealed, csrf: csrf, binding: binding)
    }
}
