import Foundation
import LinuxPAM
import Logging
import Prometheus
public import TokenCore
import TokenStore

extension Authority {
    /// `grant_type=password` (docs/api.md#token-endpoint): the throttle reserves the attempt, PAM runs
    /// `pam_authenticate` + `pam_acct_mgmt`, the user must resolve in the user database and be a
    /// person's account (not root or a system account, unless allowed), then a new session.
    ///
    /// Every failure — wrong password, unknown user, refused system account — gives the same answer
    /// after the same uniform delay, so that nothing about the account can be learnt from it.
    public func passwordGrant(
        user: String, password: String, clientID: String, scope: String?, peer: Peer
    ) async throws(AuthorityFailure)
        -> TokenGrant
    {
        guard settings.passwordGrant else { throw .unsupportedGrantType("password") }
        let identity = try await authenticatePassword(user: user, password: password, peer: peer, explained: true)
        return try await startSession(identity, method: .password, clientID: clientID, scope: scope, peer: peer)
    }

    /// `grant_type=urn:pamtoken:params:grant-type:peercred` (docs/api.md#peer-credential-grant): on the Unix socket, when enabled,
    /// a token for the kernel-verified uid of the peer, without a password. The account must pass `pam_acct_mgmt`.
    public func peerCredentialsGrant(clientID: String, scope: String?, peer: Peer) async throws(AuthorityFailure) -> TokenGrant {
        guard settings.peercredGrant else { throw .unsupportedGrantType(PeerCredentialsGrant.type) }
        guard case .unix(let uid, _, _) = peer else {
            throw .unauthorizedClient("the peercred grant is available on the Unix socket only")
        }
        guard uid != 0 || settings.peercredAllowRoot || settings.allowSystemUsers else {
            throw .unauthorizedClient("the peercred grant is refused for uid 0")
        }
        guard uid == 0 || mayLogIn(uid: uid) else {
            throw .unauthorizedClient("the peercred grant is refused for system accounts (uid \(uid)); see allow_system_users")
        }
        guard let identity = await users.user(uid: uid) else { throw .invalidGrant("the peer's uid does not resolve to a user") }
        try await checkAccount(identity.user, peer: peer, atRefresh: false)
        metrics.loginsOK.increment()
        return try await startSession(identity, method: .peerCredentials, clientID: clientID, scope: scope, peer: peer)
    }

    /// `grant_type=refresh_token` (docs/api.md#token-endpoint, §3.2): the account is re-checked (same uid,
    /// `pam_acct_mgmt`) before the token is rotated; a failed check revokes the session.
    ///
    /// A refresh token issued to a registered client is that client's alone (RFC 9700 §4.14.2): it is
    /// refused, without being spent, when presented without that client's authentication.
    public func refreshGrant(token value: String, client: OAuthClient? = nil, peer: Peer) async throws(AuthorityFailure) -> TokenGrant {
        guard let presented = RefreshToken(value) else { throw .invalidGrant("invalid refresh token") }
        guard let session = try await storage("find session", { try await self.store.session(for: presented) }),
            session.isActive(at: clock.now)
        else {
            // Unknown, revoked or expired: let the rotation classify it (and catch reuse of a dead family's token).
            return try await rotate(presented, identity: nil, peer: peer)
        }
        // A session started by an authorization code (it has a browser parent) stays bound to its client
        // even after the client is removed from the configuration: then nobody may refresh it.
        if session.parentID != nil || clients.client(session.clientID) != nil || client != nil, client?.id != session.clientID {
            logger.warning(
                "refresh token presented by another client", metadata: ["session": "\(session.id)", "client": "\(client?.id ?? "none")"])
            throw .invalidGrant("invalid refresh token")
        }
        guard let identity = await users.user(named: session.user), identity.uid == session.uid else {
            try await revokeAfterFailedCheck(session, reason: "user no longer exists with uid \(session.uid)")
            throw .invalidGrant("invalid refresh token")
        }
        // A session begun while system accounts were allowed (or before they were refused) ends with the
        // rule, not 30 days later: the same test as at login, root by peercred included.
        let rootByPeercred = identity.uid == 0 && session.authMethod == .peerCredentials && settings.peercredAllowRoot
        guard mayLogIn(uid: identity.uid) || rootByPeercred else {
            try await revokeAfterFailedCheck(session, reason: "uid \(identity.uid) is a system account (allow_system_users is off)")
            throw .invalidGrant("invalid refresh token")
        }
        if let client, !client.allowedGroups.isEmpty, !client.allowedGroups.contains(where: identity.groups.contains) {
            try await revokeAfterFailedCheck(session, reason: "no longer in the allowed_groups of client \(client.id)")
            throw .invalidGrant("invalid refresh token")
        }
        do {
            try await checkAccount(session.user, peer: peer, atRefresh: true)
        } catch .invalidGrant {
            try await revokeAfterFailedCheck(session, reason: "account refused by PAM")
            throw .invalidGrant("invalid refresh token")
        }
        return try await rotate(presented, identity: identity, peer: peer)
    }

    private func rotate(_ presented: RefreshToken, identity: UserIdentity?, peer: Peer) async throws(AuthorityFailure) -> TokenGrant {
        let next = RefreshToken.generate()
        let result = try await storage("rotate") {
            try await self.store.rotate(presented, to: next, refreshTTL: self.policy.refreshTTL, reuseGrace: self.policy.reuseGrace)
        }
        switch result {
        case .rotated(let session, let expiry), .retried(let session, let expiry):
            guard let identity else {
                // Only reachable if the session came back to life between the two reads; refuse safely.
                throw .invalidGrant("invalid refresh token")
            }
            metrics.rotations.increment()
            if case .retried = result {
                logger.notice(
                    "refresh retried within the reuse grace", metadata: ["user": "\(session.user)", "session": "\(session.id)", "peer": "\(peer)"])
            }
            return try await grant(identity, session: session, refreshToken: next, refreshExpiresAt: expiry)
        case .rejected(.reuseDetected(let sessionID, let user)):
            metrics.reuseDetections.increment()
            logger.warning(
                "refresh token reuse detected: session revoked",
                metadata: ["event": "reuse_detected", "user": "\(user)", "session": "\(sessionID)", "peer": "\(peer)"])
            throw .invalidGrant("invalid refresh token")
        case .rejected(let reason):
            logger.info("refresh refused", metadata: ["reason": "\(reason)", "peer": "\(peer)"])
            throw .invalidGrant("invalid refresh token")
        }
    }

    func startSession(
        _ identity: UserIdentity, method: AuthMethod, clientID: String, scope: String?, peer: Peer
    ) async throws(AuthorityFailure)
        -> TokenGrant
    {
        let token = RefreshToken.generate()
        var new = NewSession(
            user: identity.user, uid: identity.uid, authMethod: method, clientID: clientID, scope: scope, peer: peer.remoteHost,
            maxAge: policy.sessionMaxAge, refreshTTL: policy.refreshTTL)
        if case .unix(let uid, _, let pid) = peer {
            new.peerUID = uid
            new.peerPID = pid
        }
        let (session, expiry) = try await storage("create session") { try await self.store.createSession(new, token: token) }
        logger.info("login", metadata: ["user": "\(identity.user)", "session": "\(session.id)", "method": "\(method.rawValue)", "peer": "\(peer)"])
        return try await grant(identity, session: session, refreshToken: token, refreshExpiresAt: expiry)
    }

    /// `pam_acct_mgmt` through the admission limit. A refused account is `invalid_grant`.
    func checkAccount(_ user: String, peer: Peer, atRefresh: Bool) async throws(AuthorityFailure) {
        let outcome = await pam(accountAdmission) { () async throws(PAMError) -> Void in
            try await self.authenticator.checkAccount(user: user, remoteHost: peer.remoteHost)
        }
        switch outcome {
        case nil: throw busy(peer: peer)
        case .success?: return
        case .failure(let error)?:
            guard error.isUserFailure else {
                // PAM itself failed (SSSD or LDAP down, shadow unreadable): not the user's doing, so the
                // session is kept and the client told to retry later rather than logged out.
                logger.error("PAM failed checking an account", metadata: ["user": "\(user)", "reason": "\(error)"])
                throw .temporarilyUnavailable
            }
            logger.notice("account refused by PAM", metadata: ["user": "\(user)", "reason": "\(error)", "peer": "\(peer)"])
            // Said of the refresh token at refresh; the peercred grant has no token, only an account.
            throw .invalidGrant(atRefresh ? "invalid refresh token" : "the account may not log in now")
        }
    }

    private func revokeAfterFailedCheck(_ session: SessionRecord, reason: String) async throws(AuthorityFailure) {
        _ = try await storage("revoke session") { try await self.store.revokeSession(id: session.id, reason: reason) }
        logger.warning("session revoked at refresh", metadata: ["user": "\(session.user)", "session": "\(session.id)", "reason": "\(reason)"])
    }

}

/// The peer-credential grant's name (a URN, as RFC 6749 §4.5 requires of extension grants).
public enum PeerCredentialsGrant {
    public static let type = "urn:pamtoken:params:grant-type:peercred"
}
