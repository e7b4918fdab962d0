import Foundation
import JWTKit
import Logging
public import PamtokenWire
public import TokenCore
import TokenStore

extension Authority {
    /// Checks the `Authorization: Bearer …` header of a request (RFC 6750 §2.1): a valid access token whose
    /// session is still active. Expiry is reported distinctly so the client gets `IS-TOKEN-EXPIRED: true`.
    ///
    /// - Parameter clientTokens: also accept the tokens of registered clients (audience: the client):
    ///   `/userinfo` only. Everywhere else — `/auth`, `/sessions` — a web application's token is refused,
    ///   so that an application cannot act as the user beyond what it was given.
    public func authorize(authorization: String?, clientTokens: Bool = false) async throws(AuthorityFailure) -> AccessTokenClaims {
        guard let authorization else { throw .invalidToken("missing bearer token") }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .invalidToken("expected an Authorization: Bearer header") }
        return try await authorize(token: parts[1].trimmingCharacters(in: .whitespaces), clientTokens: clientTokens)
    }

    /// The audiences of registered clients' tokens: their ids.
    var clientAudiences: Set<String> { clients.ids }

    /// Verifies an access token and its session.
    func authorize(token: String, clientTokens: Bool = false) async throws(AuthorityFailure) -> AccessTokenClaims {
        let claims: AccessTokenClaims
        do {
            claims = try await verifier.verify(token, alsoAccepting: clientTokens ? clientAudiences : [])
        } catch {
            throw .invalidToken(error.description, expired: error == .expired)
        }
        guard try await storage("session check", { try await self.store.isSessionActive(id: claims.sid) }) else {
            throw .invalidToken(TokenError.revoked.description)
        }
        return claims
    }

    /// RFC 7009: revokes the session of a refresh token or of an access token (by `sid`; an expired access
    /// token still names its session). Unknown or invalid tokens are not an error: the answer is the same,
    /// so revocation cannot be used to probe for valid tokens.
    public func revoke(token: String, peer: Peer) async throws(AuthorityFailure) {
        if let refresh = RefreshToken(token) {
            if let session = try await storage("revoke", { try await self.store.revokeSession(containing: refresh, reason: "revoked by client") }) {
                logger.info(
                    "session revoked", metadata: ["user": "\(session.user)", "session": "\(session.id)", "peer": "\(peer)", "via": "refresh_token"])
            }
            return
        }
        guard let claims = try? await verifier.verify(token, acceptingExpired: true, alsoAccepting: clientAudiences) else { return }
        if try await storage("revoke", { try await self.store.revokeSession(id: claims.sid, reason: "revoked by client") }) {
            logger.info(
                "session revoked", metadata: ["user": "\(claims.sub.value)", "session": "\(claims.sid)", "peer": "\(peer)", "via": "access_token"])
        }
    }

    /// RFC 7662: whether an access token is active now, with its claims when it is.
    ///
    /// Refresh tokens are never introspectable: always `{"active":false}`, which RFC 7662 §2.2 allows.
    /// Answering for them would let whoever stole one test it without presenting it — a used token
    /// would say "inactive" without tripping reuse detection, a live one would name its user — and
    /// only the token's own client, which knows its state, has any use for the answer.
    public func introspect(token: String) async throws(AuthorityFailure) -> Introspection {
        if RefreshToken(token) != nil { return .inactive }
        guard let claims = try? await verifier.verify(token, alsoAccepting: clientAudiences),
            try await storage("introspect", { try await self.store.isSessionActive(id: claims.sid) })
        else { return .inactive }
        return Introspection(access: claims)
    }
}
