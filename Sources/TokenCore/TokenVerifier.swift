public import Foundation
import JWTKit

/// Verifies access tokens by the rules of RFC 8725 and RFC 9068 §4: a fixed algorithm, `typ: at+jwt`,
/// a known `kid`, a valid signature, our `iss`, one of our audiences, `nbf`/`iat` not in the future and
/// `exp` not passed — in that order, so that ``TokenError/expired`` means the token's only fault is age.
public struct TokenVerifier: Sendable {
    /// The largest token we accept. Our tokens are under 2 KiB even with many groups; anything much
    /// larger is an attack on the parser, not a credential.
    public static let maximumLength = 16 * 1024

    private let issuer: String
    private let audiences: Set<String>
    private let leeway: TimeInterval
    private let keys: @Sendable () -> VerificationKeys
    private let clock: any WallClock
    private let cache: VerificationCache?
    private let refreshKeys: (@Sendable () async -> Bool)?

    /// Verifies against a key source read at every call, so a key rotation is seen immediately.
    /// - Parameters:
    ///   - cache: remembers verified signatures (see ``VerificationCache``); `nil` verifies every time.
    ///   - refreshKeys: asked once when a token names a `kid` the keys do not hold, as a JWKS client
    ///     refetches; the keys are then read again. In a fleet, another host may have just published
    ///     the key. It must rate-limit itself: any token can name any `kid`.
    public init(
        issuer: String, audiences: [String], leeway: TimeInterval = 5, clock: any WallClock, cache: VerificationCache? = nil,
        refreshKeys: (@Sendable () async -> Bool)? = nil, keys: @escaping @Sendable () -> VerificationKeys
    ) {
        self.refreshKeys = refreshKeys
        self.issuer = issuer
        self.audiences = Set(audiences)
        self.leeway = leeway
        self.keys = keys
        self.clock = clock
        self.cache = cache
    }

    /// Verifies tokens signed by the daemon's own key ring.
    public init(
        policy: TokenPolicy, keyRing: KeyRing, clock: any WallClock, cache: VerificationCache? = nil, refreshKeys: (@Sendable () async -> Bool)? = nil
    ) {
        self.init(issuer: policy.issuer, audiences: policy.audiences, leeway: policy.leeway, clock: clock, cache: cache, refreshKeys: refreshKeys) {
            keyRing.current.verificationKeys
        }
    }

    private struct Header: Decodable {
        var alg: String?
        var typ: String?
        var kid: String?
        var crit: [String]?
    }

    /// Returns the claims of a valid token, or the first rule it breaks.
    ///
    /// - Parameters:
    ///   - acceptingExpired: skip the `exp` check only. For the few places that must identify the
    ///     session of a token that may have expired: RFC 7009 revocation and the tutorial's refresh route.
    ///   - alsoAccepting: audiences accepted besides the configured ones: the daemon's own `/userinfo`,
    ///     `/introspect` and `/revoke` take the tokens of registered clients, whose audience is the client.
    public func verify(
        _ token: some StringProtocol, acceptingExpired: Bool = false, alsoAccepting extra: Set<String> = []
    ) async throws(TokenError) -> AccessTokenClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .malformed }
        let now = clock.now
        let claims: AccessTokenClaims
        do {
            claims = try await signedClaims(token, keys: keys(), now: now)
        } catch .unknownKey where refreshKeys != nil {
            // Read again whatever the refresh says: one that was refused as too soon may follow another
            // caller's that found the key.
            _ = await refreshKeys?()
            claims = try await signedClaims(token, keys: keys(), now: now)
        }

        guard claims.iss.value == issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(where: { audiences.contains($0) || extra.contains($0) }) else { throw .wrongAudience }
        guard claims.nbf.value <= now.addingTimeInterval(leeway), claims.iat.value <= now.addingTimeInterval(leeway) else {
            throw .notYetValid
        }
        // RFC 7519 §4.1.4: the token must not be accepted "on or after" the expiration time.
        guard acceptingExpired || now < claims.exp.value else { throw .expired }
        return claims
    }

    /// The claims of a token whose signature is valid: from the cache when it has seen these bytes under
    /// a key that is still published, otherwise by ``verifySignature(_:keys:)`` (and then remembered).
    private func signedClaims(_ token: some StringProtocol, keys: VerificationKeys, now: Date) async throws(TokenError) -> AccessTokenClaims {
        guard let cache else { return try await verifySignature(token, keys: keys).0 }
        let key = VerificationCache.key(token)
        if let claims = cache.claims(for: key, under: keys) { return claims }
        let (claims, kid) = try await verifySignature(token, keys: keys)
        cache.store(.init(claims: claims, algorithm: keys.algorithm.rawValue, kid: kid), for: key, now: now)
        return claims
    }

    /// The header rules, then jwt-kit's parse and signature check: the part that does not depend on time.
    private func verifySignature(_ token: some StringProtocol, keys: VerificationKeys) async throws(TokenError) -> (AccessTokenClaims, kid: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Data(base64URLEncoded: parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw .malformed }

        guard let alg = header.alg, alg == keys.algorithm.rawValue else { throw .algorithmNotAllowed(header.alg ?? "none") }
        guard let typ = header.typ?.lowercased(), typ == "at+jwt" || typ == "application/at+jwt" else { throw .wrongType }
        // RFC 7515 §4.1.11: a critical extension we do not understand makes the token invalid.
        guard header.crit == nil else { throw .malformed }
        guard let kid = header.kid, keys.kids.contains(kid) else { throw .unknownKey }
        guard !parts[2].isEmpty else { throw .badSignature }

        do {
            return (try await keys.collection.verify(String(token), as: AccessTokenClaims.self), kid)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw .malformed
        } catch {
            throw .badSignature
        }
    }
}
