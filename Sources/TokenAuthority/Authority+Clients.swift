import Logging
public import TokenCore

extension Authority {
    /// Authenticates the caller of the token endpoint.
    ///
    /// - Returns: the client, when `id` names a registered one and the secret is right (or it is public
    ///   and sent none); nil when `id` names no registered client and no secret was sent — a local
    ///   program of the password grant, as before clients existed.
    /// - Throws: `invalidClient` for a wrong or missing secret, or a secret for an unknown client;
    ///   `tooManyAttempts` when wrong secrets for this client or from this peer are being tried.
    ///   A secret proven right before is accepted without the throttle, so guessing at a client's
    ///   secret cannot lock the real client out.
    public func authenticateClient(id: String?, secret: String?, peer: Peer) async throws(AuthorityFailure) -> OAuthClient? {
        switch clients.check(clientID: id, secret: secret) {
        case .unregistered: return nil
        case .authenticated(let client): return client
        case .refused: throw .invalidClient("client authentication failed")
        case .needsHash(let client, let secret, let hash):
            return try await clients.coalescing(client, secret: secret) {
                await self.verifyThrottled(client, secret: secret, hash: hash, peer: peer)
            }.get()
        }
    }

    private func verifyThrottled(_ client: OAuthClient, secret: String, hash: String, peer: Peer) async -> Result<OAuthClient, AuthorityFailure> {
        let attempt: LoginAttempt
        switch throttle.begin(client: client.id, peer: peer.throttleKey) {
        case .blocked(let wait):
            logger.warning("client authentication throttled", metadata: ["client": "\(client.id)", "peer": "\(peer)"])
            return .failure(.tooManyAttempts(retryAfter: wait))
        case .admitted(let admitted): attempt = admitted
        }
        guard await clients.verify(client, secret: secret, hash: hash) else {
            attempt.failed(as: [])
            logger.notice("client authentication failed", metadata: ["client": "\(client.id)", "peer": "\(peer)"])
            return .failure(.invalidClient("client authentication failed"))
        }
        attempt.succeeded(as: [])
        return .success(client)
    }
}
