import Foundation
import PAMTokenAuth
import Synchronization
import TestSupport
import Testing
import TokenCore

/// What a relying party believes about keys: not forever, not from anyone, not for another issuer.
@Suite("PAMTokenVerifier: key age, pinned issuer, trusted transports")
struct KeySourceTrustTests {
    /// Publishes `daemon`'s issuer with whichever JWKS the test sets, counting fetches.
    final class WithdrawingSource: KeySetSource {
        let daemon: FakeDaemon
        let jwks: Mutex<Data>
        let issuer: String
        let expected: String?

        init(daemon: FakeDaemon, issuer: String? = nil, expected: String? = nil) {
            self.daemon = daemon
            self.jwks = Mutex(daemon.keyRing.current.jwksJSON)
            self.issuer = issuer ?? daemon.policy.issuer
            self.expected = expected
        }

        func fetch() async throws -> PublishedKeys { PublishedKeys(issuer: issuer, jwks: jwks.withLock { $0 }) }
        var expectedIssuer: String? { expected }
    }

    @Test("a key the daemon withdrew stops verifying once the cache is older than maximumKeyAge")
    func withdrawnKey() async throws {
        let daemon = try await FakeDaemon()
        let other = try await FakeDaemon()
        defer {
            daemon.cleanUp()
            other.cleanUp()
        }
        let source = WithdrawingSource(daemon: daemon)
        let verifier = PAMTokenVerifier(source: source, clock: daemon.clock, minimumRefetchInterval: .seconds(3600), maximumKeyAge: .seconds(600))
        let token = try await daemon.token()
        _ = try await verifier.verify(token)
        source.jwks.withLock { $0 = other.keyRing.current.jwksJSON }  // the daemon withdraws its key

        daemon.clock.advance(by: 120)
        _ = try await verifier.verify(try await daemon.token())  // still cached: verifies
        daemon.clock.advance(by: 481)
        await #expect(throws: PAMTokenAuthError.invalidToken(.unknownKey)) { try await verifier.verify(try await daemon.token()) }
    }

    @Test("a source that implies an issuer must be answered for by that issuer, or the keys are refused")
    func pinnedIssuer() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let impostor = WithdrawingSource(daemon: daemon, issuer: "http://127.0.0.1:9999", expected: "http://127.0.0.1:8719")
        let verifier = PAMTokenVerifier(source: impostor, clock: daemon.clock)
        await #expect(throws: PAMTokenAuthError.self) { try await verifier.verify(try await daemon.token()) }
        let explicit = PAMTokenVerifier(source: daemon, expectedIssuer: "https://auth.example.com", clock: daemon.clock)
        let error = await #expect(throws: PAMTokenAuthError.self) { try await explicit.verify(try await daemon.token()) }
        #expect("\(error!)".contains("not the expected https://auth.example.com"))
        let matching = PAMTokenVerifier(source: daemon, expectedIssuer: "http://127.0.0.1:8719/", clock: daemon.clock)
        #expect(try await matching.verify(try await daemon.token()).user == "alice")
    }

    @Test(
        "keys are fetched only over https, loopback or the Unix socket; a URL source pins its own issuer",
        arguments: [
            ("http://10.0.0.5:8719", false), ("http://auth.example.com", false), ("ftp://127.0.0.1", false),
            ("http://127.0.0.1:1", true), ("http://localhost:1", true), ("http://[::1]:1", true), ("https://127.0.0.1:1", true),
        ])
    func transports(url: String, trusted: Bool) async throws {
        let source = DaemonKeySetSource(address: .url(url))
        #expect(source.expectedIssuer == url)
        do {
            _ = try await source.fetch()
            Issue.record("nothing listens there; the fetch cannot succeed")
        } catch {
            // Refused before any connection, or (for a trusted transport) failed to connect.
            #expect("\(error)".contains("refusing to fetch keys") == !trusted, "\(error)")
        }
        #expect(DaemonKeySetSource(address: .unixSocket("/run/pamtoken/pamtoken.sock")).expectedIssuer == nil)
    }
}
