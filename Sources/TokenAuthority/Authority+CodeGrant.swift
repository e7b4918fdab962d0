import Foundation
import JWTKit
import Logging
import Prometheus
public import TokenCore
import TokenStore

extension Authority {
    /// `grant_type=authorization_code` (docs/api.md#authorization-code-grant): the code must be unused,
    /// unexpired, this client's, for this redirect URI, and answer its PKCE challenge. A code presented
    /// a second time revokes the session its first exchange started (RFC 6749 §4.1.2): someone else
    /// holds it. Returns the access token, a refresh token bound to the client, and an ID token when
    /// `openid` was granted.
    public func authorizationCodeGrant(
        code value: String, redirectURI: String, verifier: String, client: OAuthClient, peer: Peer
    ) async throws(AuthorityFailure) -> TokenGrant {
        guard let code = AuthorizationCode(value),
            let record = try await storage("find code", { try await self.store.code(code) })
        else { throw .invalidGrant("invalid authorization code") }
        if record.usedAt == nil {
            // A mismatch leaves the code unspent: whoever sent it lacks what the real client has.
            guard record.clientID.utf8.elementsEqual(client.id.utf8), record.redirectURI.utf8.elementsEqual(redirectURI.utf8) else {
                throw .invalidGrant("the code was issued to another client or redirect_uri")
            }
            guard PKCE.verify(verifier, challenge: record.codeChallenge) else { throw .invalidGrant("code_verifier does not match") }
        }
        guard let browser = try await storage("find browser session", { try await self.store.session(id: record.browserSessionID) }),
            browser.isActive(at: clock.now), let identity = await users.user(named: browser.user), identity.uid == browser.uid
        else { throw .invalidGrant("invalid authorization code") }

        let token = RefreshToken.generate()
        let new = NewSession(
            user: identity.user, uid: identity.uid, authMethod: .password, clientID: client.id, scope: record.scope,
            peer: peer.remoteHost, parentID: browser.id, maxAge: policy.sessionMaxAge, refreshTTL: policy.refreshTTL)
        switch try await storage("redeem code", { try await self.store.redeem(code, starting: new, token: token) }) {
        case .unknown:
            throw .invalidGrant("invalid authorization code")
        case .replayed:
            metrics.reuseDetections.increment()
            logger.warning(
                "authorization code replayed: the session it started is revoked",
                metadata: ["event": "code_replay", "user": "\(browser.user)", "client": "\(client.id)", "peer": "\(peer)"])
            throw .invalidGrant("invalid authorization code")
        case .redeemed(let session, let expiry):
            logger.info("code exchanged", metadata: ["user": "\(identity.user)", "session": "\(session.id)", "client": "\(client.id)"])
            var grant = try await grant(identity, session: session, refreshToken: token, refreshExpiresAt: expiry)
            if record.scopes.contains("openid") {
                do {
                    grant.idToken = try await issuer.issueIDToken(
                        for: identity, clientID: client.id, nonce: record.nonce, browserSessionID: browser.id, authTime: browser.createdDate,
                        scopes: record.scopes, accessToken: grant.accessToken, algorithm: client.idTokenAlgorithm)
                } catch {
                    logger.error("signing an ID token failed", metadata: ["error": "\(error)"])
                    throw .temporarilyUnavailable
                }
            }
            return grant
        }
    }

    /// What `/end_session` should do.
    public enum SignOut: Sendable, Equatable {
        /// No valid `id_token_hint`: ask the user to confirm (a page with a form), so that a link on
        /// another site cannot sign people out.
        case confirm
        /// Signed out; send the browser here if the client registered it, else show a page.
        case signedOut(redirect: String?)
    }

    /// OpenID Connect RP-initiated logout: ends the browser session (the cookie's, and the one the
    /// hint names) and every session started from it.
    ///
    /// - Parameters:
    ///   - confirmed: the user confirmed on our own page (its CSRF token already checked).
    public func endSession(
        idTokenHint: String?, browserSession cookie: BrowserSessionSecret?, postLogoutRedirectURI: String?, state: String?,
        clientID: String?, confirmed: Bool
    ) async -> SignOut {
        let hint: IDTokenClaims? = if let idTokenHint { await issuer.readIDTokenHint(idTokenHint) } else { nil }
        guard hint != nil || confirmed else { return .confirm }
        let browser: SessionRecord? = if let cookie { try? await store.browserSession(cookie: cookie) } else { nil }
        // A hint proves who an application signed in, not who this browser is: anyone holds some user's
        // ID token. Without the user's own confirmation, it ends this browser's session only if it names it.
        if !confirmed, let browser, let hint, browser.id != hint.sid, browser.user != hint.sub.value { return .confirm }
        var ended: [SessionRecord] = []
        if let browser { ended.append(browser) }
        if let hint, !ended.contains(where: { $0.id == hint.sid }), let session = try? await store.session(id: hint.sid),
            session.clientID == OAuthClient.browserSessionClientID, session.user == hint.sub.value
        {
            ended.append(session)
        }
        for session in ended { await endBrowserSession(session, reason: "signed out") }
        let client = (hint?.aud.value.first ?? clientID).flatMap { clients.client($0) }
        guard let postLogoutRedirectURI, let client, client.isRegistered(postLogoutRedirectURI: postLogoutRedirectURI) else {
            return .signedOut(redirect: nil)
        }
        return .signedOut(redirect: RedirectURI.adding(["state": state], to: postLogoutRedirectURI))
    }

    /// The sign-out confirmation form's CSRF token, bound to the browser session cookie.
    public func signOutToken(binding: String) -> String { loginSeal.signOutToken(binding: binding) }

    /// Whether a sign-out form's CSRF token is right for this browser.
    public func isValidSignOutToken(_ token: String, binding: String) -> Bool { loginSeal.isValidSignOutToken(token, binding: binding) }
}
