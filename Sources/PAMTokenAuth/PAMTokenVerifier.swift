import Foundation
import JWTKit
import Synchronization
public import TokenCore

/// Verifies pamtoken access tokens offline, as a relying party: the daemon's JWKS is fetched once,
/// cached, and fetched again when a token names a key it does not know (after a key rotation) — at
/// most once per `minimumRefetchInterval`, so a flood of forged `kid`s cannot turn into a flood of
/// requests to the daemon.
///
/// Checks are those of CONTRACT §3.3 / RFC 8725, through TokenCore's `TokenVerifier`: the algorithm the
/// JWKS publishes and no other, `typ: at+jwt`, a known `kid`, the signature, `iss`, `aud`, `nbf`, `exp`.
/// Offline verification cannot see revocations; a service that must refuse a revoked session at once
/// asks the daemon (`GET /auth` or `POST /introspect`) instead.
public final class PAMTokenVerifier: Sendable {
    private struct Cache {
        var keys: VerificationKeys?
        var issuer: String?
        var fetchedAt: ContinuousClock.Instant?
    }

    private let source: any KeySetSource
    private let audiences: [String]
    private let clock: any WallClock
    private let minimumRefetchInterval: Duration
    private let cache = Mutex(Cache())

    /// - Parameters:
    ///   - source: where the daemon's keys come from (default: its Unix socket).
    ///   - audience: the `aud` this service accepts (the daemon's default is "pamtoken").
    public init(
        source: any KeySetSource = DaemonKeySetSource(), audience: String = "pamtoken", clock: any WallClock = SystemClock(),
        minimumRefetchInterval: Duration = .seconds(10)
    ) {
        self.source = source
        self.audiences = [audience]
        self.clock = clock
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    /// The identity of a valid token.
    /// - Throws: ``PAMTokenAuthError``.
    public func verify(_ token: String) async throws(PAMTokenAuthError) -> PAMTokenIdentity {
        if cache.withLock({ $0.keys == nil }) {
            try await refresh()
        }
        do throws(PAMTokenAuthError) {
            return try await check(token)
        } catch .invalidToken(.unknownKey) where refetchAllowed() {
            try await refresh()
            return try await check(token)
        }
    }

    private func check(_ token: String) async throws(PAMTokenAuthError) -> PAMTokenIdentity {
        let (keys, issuer) = cache.withLock { ($0.keys, $0.issuer) }
        guard let keys, let issuer else { throw .discoveryFailed("no keys loaded") }
        let verifier = TokenVerifier(issuer: issuer, audiences: audiences, clock: clock) { keys }
        let claims: AccessTokenClaims
        do {
            claims = try await verifier.verify(token)
        } catch {
            throw .invalidToken(error)
        }
        return PAMTokenIdentity(
            user: claims.sub.value, uid: claims.uid, gid: claims.gid, groups: claims.groups, name: claims.name, sessionID: claims.sid,
            authMethods: claims.amr, expiresAt: claims.exp.value)
    }

    private func refetchAllowed() -> Bool {
        cache.withLock { cache in
            guard let last = cache.fetchedAt else { return true }
            return ContinuousClock.now - last >= minimumRefetchInterval
        }
    }

    /// Fetches the daemon's issuer and keys now.
    public func refresh() async throws(PAMTokenAuthError) {
        let published: PublishedKeys
        do {
            published = try await source.fetch()
        } catch let error as PAMTokenAuthError {
            throw error
        } catch {
            throw .discoveryFailed("\(error)")
        }
        guard let algorithm = Self.algorithm(of: published.jwks) else { throw .notVerifiableOffline }
        let keys: VerificationKeys
        do {
            keys = try await VerificationKeys.fromJWKS(published.jwks, algorithm: algorithm)
        } catch {
            throw .discoveryFailed("the JWKS does not parse: \(error)")
        }
        cache.withLock { $0 = Cache(keys: keys, issuer: published.issuer, fetchedAt: .now) }
    }

    /// The one algorithm the daemon signs with, read from its published keys (all share it).
    private static func algorithm(of jwks: Data) -> SigningAlgorithm? {
        guard let object = try? JSONSerialization.jsonObject(with: jwks) as? [String: Any],
            let keys = object["keys"] as? [[String: Any]], let alg = keys.first?["alg"] as? String
        else { return nil }
        return SigningAlgorithm(name: alg).flatMap { $0.isAsymmetric ? $0 : nil }
    }
}
