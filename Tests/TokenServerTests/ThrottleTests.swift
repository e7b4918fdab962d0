import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer
import TokenStore

@Suite("Throttling and PAM admission (docs/api.md#throttling)")
struct ThrottleTests {
    @Test("after the allowed failures a user name is throttled: 429 + Retry-After, and PAM is not called")
    func userThrottled() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for _ in 0..<3 {
                let response = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "bad"])
                #expect(response.status == .badRequest)
            }
            let calls = fixture.pam.calls
            let throttled = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] == "1")
            #expect(throttled.object.string("error") == "too_many_attempts")
            #expect(fixture.pam.calls == calls, "PAM is not called while throttled")

            // Another user from the same peer is not affected (the peer limit is higher).
            #expect(try await client.form("/token", ["grant_type": "password", "username": "bob", "password": "builder"]).status == .ok)

            // Time passes: the right password works again and clears the count.
            fixture.clock.advance(by: 2)
            #expect(try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"]).status == .ok)
            #expect(try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "bad"]).status == .badRequest)
        }
    }

    @Test("back-off doubles with each further failure, up to the maximum")
    func exponentialBackoff() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limits: .init(userFailures: 2, peerFailures: 100, window: 900, maxBackoff: 10), clock: clock)
        var waits: [Int?] = []
        for _ in 0..<7 {
            throttle.recordFailure(user: "alice", peer: "uid:1")
            waits.append(throttle.retryAfter(user: "alice", peer: "uid:1"))
            clock.advance(by: 20)  // past any block, still inside the window
        }
        #expect(waits == [nil, 1, 2, 4, 8, 10, 10])
    }

    @Test("a peer trying many user names is throttled by peer")
    func peerThrottled() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limits: .init(userFailures: 5, peerFailures: 3, window: 900, maxBackoff: 60), clock: clock)
        for name in ["a", "b", "c"] { throttle.recordFailure(user: name, peer: "ip:127.0.0.1") }
        #expect(throttle.retryAfter(user: "fresh-name", peer: "ip:127.0.0.1") == 1)
        #expect(throttle.retryAfter(user: "fresh-name", peer: "ip:127.0.0.2") == nil)
    }

    @Test("failures outside the window are forgotten")
    func window() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limits: .init(userFailures: 2, peerFailures: 100, window: 60, maxBackoff: 60), clock: clock)
        throttle.recordFailure(user: "alice", peer: "p")
        clock.advance(by: 61)
        throttle.recordFailure(user: "alice", peer: "p")
        #expect(throttle.retryAfter(user: "alice", peer: "p") == nil)
    }

    @Test("a failed login takes at least the uniform failure delay")
    func uniformDelay() async throws {
        let fixture = try await ServerFixture(settings: .init(failureDelay: .milliseconds(200)))
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let start = ContinuousClock.now
            _ = try await client.form("/token", ["grant_type": "password", "username": "nobody", "password": "x"])
            #expect(ContinuousClock.now - start >= .milliseconds(200))
        }
    }
}
