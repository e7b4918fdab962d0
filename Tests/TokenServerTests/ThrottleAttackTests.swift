import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer

/// The throttle against an attacker who does not wait for answers, changes source address, floods
/// the table with names, or spells the name another way.
@Suite("Throttle under attack: concurrency, source addresses, table size, spellings")
struct ThrottleAttackTests {
    static let wrong = ["grant_type": "password", "username": "alice", "password": "guess"]

    @Test("100 concurrent wrong passwords for one user: PAM is asked at most limit + 1 times, the rest get 429")
    func concurrentGuesses() async throws {
        let fixture = try await ServerFixture(limits: .init(userFailures: 5, peerFailures: 20, window: 900, maxBackoff: 60))
        defer { fixture.cleanUp() }
        let gate = AuthenticationGate()
        fixture.pam.hold(at: gate)
        try await fixture.test { client in
            let (answered429, sink) = AsyncStream<Void>.makeStream()
            let all = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let status = try await client.form("/token", Self.wrong).status
                        if status == .tooManyRequests { sink.yield() }
                        return status
                    }
                }
                // Every request either waits inside PAM or has been refused: only then let PAM answer.
                var events = 0
                await withTaskGroup(of: Void.self) { counter in
                    let (merged, mergedSink) = AsyncStream<Void>.makeStream()
                    counter.addTask { for await _ in gate.arrivals { mergedSink.yield() } }
                    counter.addTask { for await _ in answered429 { mergedSink.yield() } }
                    for await _ in merged {
                        events += 1
                        if events == 100 { break }
                    }
                    counter.cancelAll()
                    mergedSink.finish()
                    sink.finish()
                }
                gate.open()
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(fixture.pam.calls <= 5 + 1, "PAM was asked \(fixture.pam.calls) times")
            #expect(all.filter { $0 == .badRequest }.count == fixture.pam.calls)
            #expect(all.filter { $0 == .tooManyRequests }.count == 100 - fixture.pam.calls)
            // Once they have failed, the user is blocked: the right password is not even tried.
            let calls = fixture.pam.calls
            let after = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(after.status == .tooManyRequests)
            #expect(fixture.pam.calls == calls)
        }
    }

    @Test("a cancelled or abandoned attempt never becomes a free guess; one PAM never saw is not counted")
    func unsettledAttempts() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limits: .init(userFailures: 2, peerFailures: 100, window: 900, maxBackoff: 60), clock: clock)
        for _ in 0..<2 {
            guard case .admitted(let attempt) = throttle.begin(users: ["alice"], peer: "uid:1") else {
                Issue.record("refused too early")
                return
            }
            _ = attempt  // dropped unsettled, as a cancelled task would: counted as a failure
        }
        #expect(throttle.retryAfter(user: "alice", peer: "uid:1") == 1)
        clock.advance(by: 5)
        guard case .admitted(let attempt) = throttle.begin(users: ["bob"], peer: "uid:1") else {
            Issue.record("bob refused")
            return
        }
        attempt.abandon()
        #expect(throttle.count == 2, "alice's blocked entry and the peer's two failures; nothing of bob's")
    }

    @Test(
        "127.0.0.0/8, ::1 and IPv4-mapped loopback are one peer; IPv6 is counted by /64",
        arguments: [
            ("127.0.0.1", "127.0.0.2", true), ("127.0.0.1", "127.255.255.254", true), ("127.0.0.1", "::1", true),
            ("127.0.0.1", "::ffff:127.0.0.9", true), ("10.0.0.1", "::ffff:10.0.0.1", true), ("10.0.0.1", "10.0.0.2", false),
            ("2001:db8::1", "2001:db8::ffff:1", true), ("2001:db8::1", "2001:db8:0:1::1", false), ("::1", "0:0:0:0:0:0:0:1", true),
        ])
    func peerKeys(a: String, b: String, same: Bool) {
        #expect((Peer.tcp(address: a).throttleKey == Peer.tcp(address: b).throttleKey) == same)
    }

    @Test("failures from 127.0.0.2, 127.0.0.3 … over real TCP sockets count against one peer")
    func loopbackSpray() async throws {
        let fixture = try await ServerFixture(limits: .init(userFailures: 100, peerFailures: 5, window: 900, maxBackoff: 60))
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live in
            var statuses: [Int?] = []
            for index in 2..<12 {
                let body = "grant_type=password&username=user\(index)&password=guess"
                let request =
                    "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                statuses.append(try await RawHTTP.exchange(request, to: .tcp(port: live.tcpPort, source: "127.0.0.\(index)")).status)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 400 }, "\(statuses)")
            #expect(statuses.dropFirst(5).allSatisfy { $0 == 429 }, "spraying from other loopback addresses is one peer: \(statuses)")
            #expect(fixture.pam.calls == 5)
        }
    }

    @Test("200,000 distinct user names: the table stays bounded and a blocked user stays blocked")
    func flood() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limits: .init(userFailures: 3, peerFailures: 5, window: 900, maxBackoff: 60), clock: clock)
        for _ in 0..<4 { throttle.recordFailure(user: "alice", peer: "ip:203.0.113.7") }
        #expect(throttle.retryAfter(user: "alice", peer: "ip:198.51.100.1") == 2)
        for index in 0..<200_000 {
            throttle.recordFailure(user: "flood-\(index)", peer: "ip:10.\(index >> 16).\(index >> 8 & 255).\(index & 255)")
        }
        #expect(throttle.count <= LoginThrottle.defaultCapacity)
        #expect(throttle.retryAfter(user: "alice", peer: "ip:198.51.100.1") == 2, "the known user's back-off survived the flood")
        #expect(throttle.retryAfter(user: "ALICE", peer: "ip:198.51.100.1") == 2)
    }

    @Test("keys created and forgotten again (successful logins) leave no trail: the eviction queue stays bounded")
    func queueBounded() {
        let throttle = LoginThrottle(limits: .init(), clock: ManualClock())
        for index in 0..<30_000 {
            guard case .admitted(let attempt) = throttle.begin(users: ["user-\(index)"], peer: "uid:\(index)") else {
                Issue.record("refused")
                return
            }
            attempt.succeeded(as: ["user-\(index)"])
        }
        #expect(throttle.count == 0)
        #expect(throttle.queueLength <= 1024 + 2)
    }

    @Test("Alice, ' alice' and alice share one count; so does the name PAM settled on")
    func spellings() async throws {
        let fixture = try await ServerFixture(limits: .init(userFailures: 3, peerFailures: 100, window: 900, maxBackoff: 60))
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for name in ["Alice", " alice", "ALICE\t"] {
                let response = try await client.form("/token", ["grant_type": "password", "username": name, "password": "guess"])
                #expect(response.status == .badRequest)
            }
            let right = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(right.status == .tooManyRequests)
        }
        let clock = ManualClock()
        let throttle = LoginThrottle(limits: .init(userFailures: 2, peerFailures: 100, window: 900, maxBackoff: 60), clock: clock)
        for typed in ["al1ce", "a.lice"] {
            guard case .admitted(let attempt) = throttle.begin(users: [typed], peer: "uid:1") else {
                Issue.record("refused")
                return
            }
            attempt.failed(as: ["alice"])  // PAM_USER after the transaction
        }
        #expect(throttle.retryAfter(user: "alice", peer: "uid:2") == 1)
    }
}
