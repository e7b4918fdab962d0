import Foundation
import JWTKit
import Synchronization
public import TokenCore

/// Verifies pamtoken access tokens offline, as a relying party: the daemon's JWKS is fetched once,
/// cached, and fetched again when a token names a key it does not know (after a key rotation) — at
/// most once per `minimumRefetchInterval`, so a flood of forged `kid`s cannot turn into a flood of
/// requests to the daemon — and whenever the cached set is older than `maximumKeyAge`, so that a key
/// the daemon has withdrawn stops verifying within that time.
///
/// The issuer is pinned: the metadata's `issuer` must equal `expectedIssuer`, or, when that is not
/// given, the URL the keys are fetched from (``KeySetSource/expectedIssuer``). A source that answers
/// for another issuer — a misconfigured proxy, a different daemon — is refused, not trusted.
///
/// Checks are those of docs/api.md#access-token / RFC 8725, through TokenCore's `TokenVerifier`: the algorithm the
/// JWKS publishes and no other, `typ: at+jwt`, a known `kid`, the signature, `iss`, `aud`, `nbf`, `exp`.
/// Offline verification cannot see revocations; a service that must refuse a revoked session at once
/// asks the daemon (`GET /auth` or `POST /introspect`) instead.
public final class PAMTokenVerifier: Sendable {
    private struct Cache {
        var keys: VerificationKeys?
        var issuer: String?
        var fetchedAt: ContinuousClock.Instant?
        /// The same moment on the injected wall clock, for the key age (tests move that clock).
        var fetchedOn: Date?
    }

    private let source: any KeySetSource
    private let audiences: [String]
    private let clock: any WallClock
    private let minimumRefetchInterval: Duration
    private let maximumKeyAge: Duration
    private let expectedIssuer: String?
    private let cache = Mutex(Cache())
    private let inFlight = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameters:
    ///   - source: where the daemon's keys come from (default: its Unix socket).
    ///   - audience: the `aud` this service accepts (the daemon's default is "pamtoken").
    ///   - expectedIssuer: the issuer the daemon must declare; nil means the source's own
    ///     ``KeySetSource/expectedIssuer`` (the URL for a URL source), or any issuer for the Unix socket,
    ///     which only the daemon can own.
    ///   - maximumKeyAge: cached keys older than this are fetched again before the next verification.
    public init(
        source: any KeySetSource = DaemonKeySetSource(), audience: String = "pamtoken", expectedIssuer: String? = nil,
        clock: any WallClock = SystemClock(), minimumRefetchInterval: Duration = .seconds(10), maximumKeyAge: Duration = .seconds(600)
    ) {
        self.source = source
        self.audiences = [audience]
        self.expectedIssuer = expectedIssuer ?? source.expectedIssuer
        self.clock = clock
        self.minimumRefetchInterval = minimumRefetchInterval
        self.maximumKeyAge = maximumKeyAge
    }

    /// The identity of a valid token.
    /// - Throws: ``PAMTokenAuthError``.
    public func verify(_ token: String) async throws(PAMTokenAuthError) -> PAMTokenIdentity {
        let stale = cache.withLock { cache in
            guard cache.keys != nil, let fetchedOn = cache.fetchedOn, let fetchedAt = cache.fetchedAt else { return true }
            // Either clock may say so: the monotonic one cannot be set back, the injected one can be moved by tests.
            let maximum = Double(maximumKeyAge.components.seconds)
            return clock.now.timeIntervalSince(fetchedOn) >= maximum || ContinuousClock.now - fetchedAt >= maximumKeyAge
        }
        if stale {
            do throws(PAMTokenAuthError) {
                try await refreshOnce()
            } catch {
                // Expired keys are not trusted while the daemon cannot be reached: nothing verifies.
                cache.withLock { $0 = Cache() }
                throw error
            }
        }
        do throws(PAMTokenAuthError) {
            return try await check(token)
        } catch .invalidToken(.unknownKey) where refetchAllowed() {
            try await refreshOnce()
            return try await check(token)
        }
    }

    /// One fetch at a time: requests that find the keys stale together share the fetch in flight
    /// instead of each asking the daemon.
    private func refreshOnce() async throws(PAMTokenAuthError) {
        let task = inFlight.withLock { current -> Task<Void, any Error> in
            if let current { return current }
            let task = Task { try await self.refresh() }
            current = task
            return task
        }
        defer { inFlight.withLock { if $0 == task { $0 = nil } } }
        do {
            try await task.value
        } catch let error as PAMTokenAuthError {
            throw error
        } catch {
            throw .discoveryFailed("\(error)")
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
        if let expectedIssuer, Self.trimmed(published.issuer) != Self.trimmed(expectedIssuer) {
            throw .discoveryFailed("the daemon declares issuer \(published.issuer.prefix(200)), not the expected \(expectedIssuer)")
        }
        guard let algorithm = Self.algorithm(of: published.jwks) else { throw .notVerifiableOffline }
        let keys: VerificationKeys
        do {
            keys = try await VerificationKeys.fromJWKS(published.jwks, algorithm: algorithm)
        } catch {
            throw .discoveryFailed("the JWKS does not parse: \(error)")
        }
        let now = clock.now
        cache.withLock { $0 = Cache(keys: keys, issuer: published.issuer, fetchedAt: .now, fetchedOn: now) }
    }

    private static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The one algorithm the daemon signs with, read from its published keys (all share it).
    private static func algorithm(of jwks: Data) -> SigningAlgorithm? {
        guard let object = try? JSONSerialization.jsonObject(with: jwks) as? [String: Any],
            let keys = object["keys"] as? [[String: Any]], let alg = keys.first?["alg"] as? String
        else { return nil }
        return SigningAlgorithm(name: alg).flatMap { $0.isAsymmetric ? $0 : nil }
    }
}
