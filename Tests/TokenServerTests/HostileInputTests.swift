import Crypto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer

/// Bodies, framing and directory data an attacker (or an odd directory) controls.
@Suite("Hostile input: duplicate JSON members, broken framing, group names, secrets at rest, timing")
struct HostileInputTests {
    @Test("a JSON body naming a member twice is 400 invalid_request, however the second name is spelled")
    func duplicateJSONMembers() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for body in [
                #"{"grant_type":"password","username":"nobody","username":"alice","password":"wonderland"}"#,
                #"{"grant_type":"password","username":"nobody","\u0075sername":"alice","password":"wonderland"}"#,
            ] {
                let response = try await client.execute(
                    uri: "/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
                #expect(response.status == .badRequest)
                #expect(response.object.string("error") == "invalid_request")
                #expect(response.object.string("error_description") == "parameter username is repeated")
            }
            // JSON is UTF-8 (RFC 8259 §8.1): the same duplicate in UTF-16 or UTF-32 is not read at all.
            let duplicate = #"{"grant_type":"password","username":"alice","password":"x","pad":"\"","username":"nobody"}"#
            for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian, .utf16, .utf32] {
                let bytes = try #require(duplicate.data(using: encoding))
                for headers: HTTPFields in [[.contentType: "application/json"], [:]] {
                    let response = try await client.execute(uri: "/token", method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
                    #expect(response.status == .badRequest, "\(encoding)")
                    #expect(response.object.string("error") == "invalid_request")
                }
            }
            // Nested objects may repeat names of their own (and are refused for being nested, not for that).
            let nested = #"{"grant_type":"password","x":{"username":"a"},"username":"alice","password":"wonderland"}"#
            let response = try await client.execute(
                uri: "/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: nested))
            #expect(response.object.string("error_description") == "parameter x must be a string")
            #expect(fixture.pam.calls == 0)
        }
    }

    @Test("malformed framing is 400/413/431 or a closed connection, never a 5xx")
    func malformedFraming() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let head = "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        let cases: [(String, [UInt8])] = [
            ("bad chunk size", Array((head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n").utf8)),
            ("chunk larger than sent", Array((head + "Transfer-Encoding: chunked\r\n\r\nfffffff\r\nabc").utf8)),
            ("negative content length", Array((head + "Content-Length: -1\r\n\r\nabc").utf8)),
            ("non-numeric content length", Array((head + "Content-Length: abc\r\n\r\n").utf8)),
            ("two differing content lengths", Array((head + "Content-Length: 5\r\nContent-Length: 7\r\n\r\nabcde").utf8)),
            ("chunked and content length", Array((head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n").utf8)),
            ("body cut short", Array((head + "Content-Length: 100\r\n\r\ngrant_type=pass").utf8)),
            ("garbage request line", Array("GARBAGE\r\n\r\n".utf8)),
            ("request line without version", Array("GET /healthz\r\n\r\n".utf8)),
            ("header without colon", Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nnocolon\r\n\r\n".utf8)),
            ("NUL in a header", Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX: a".utf8) + [0] + Array("b\r\n\r\n".utf8)),
            ("100 KB header", Array(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + String(repeating: "a", count: 100_000) + "\r\n\r\n").utf8)),
            (
                "body over 16 KiB, chunked",
                Array((head + "Transfer-Encoding: chunked\r\n\r\n5000\r\n" + String(repeating: "a", count: 0x5000) + "\r\n0\r\n\r\n").utf8)
            ),
        ]
        try await LiveServer.run(fixture) { live in
            for (name, bytes) in cases {
                for destination in [RawHTTP.Destination.tcp(port: live.tcpPort), .unix(path: live.socketPath)] {
                    let reply = try await RawHTTP.exchange(bytes, to: destination)
                    let acceptable = reply.status.map { [400, 413, 431].contains($0) } ?? reply.text.isEmpty
                    #expect(acceptable, "\(name) over \(destination): \(reply)")
                }
            }
            // The daemon still answers afterwards.
            #expect(
                try await RawHTTP.exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", to: .unix(path: live.socketPath))
                    .status == 200)
        }
    }

    @Test("X-Auth-Groups leaves out a group whose name contains a comma, and logs it once")
    func commaInGroupName() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.users.set(.init(user: "alice", uid: 1000, gid: 1000, groups: ["alice", "ops,wheel", "developers"], name: nil), for: "alice")
        try await fixture.test { client in
            let token = try await client.login().string("access_token")
            for _ in 0..<2 {
                let response = try await client.bearer("/auth", token)
                #expect(response.status == .noContent)
                #expect(response.headers[HTTPField.Name("X-Auth-Groups")!] == "alice,developers")
            }
            #expect(try await client.bearer("/auth?group=developers", token).status == .noContent)
        }
        #expect(fixture.logs.all.filter { $0.contains("group left out of X-Auth-Groups") }.count == 1)
    }

    @Test("the database holds SHA-256 of the refresh token, computed independently, and never the token")
    func storedHash() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let issued = Mutex("")
        try await fixture.test { client in
            let token = try await client.login().string("refresh_token")
            issued.withLock { $0 = token }
        }
        let token = issued.withLock { $0 }
        let database = try DatabaseQueue(path: fixture.directory + "/pamtoken.sqlite")
        let stored = try await database.read { db in try Data.fetchAll(db, sql: "SELECT hash FROM refresh_tokens") }
        #expect(stored == [Data(SHA256.hash(data: Data(token.utf8)))])
        let everything = try Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/pamtoken.sqlite"))
        #expect(everything.range(of: Data(token.utf8)) == nil)
        #expect(everything.range(of: Data(token.dropFirst(4).utf8)) == nil)
    }

    @Test(
        "every failed login asks for the same deadline: start + failure_delay, for known, unknown and system users",
        arguments: [("alice", "wrong"), ("nobody-here", "x"), ("root", "toor")])
    func uniformDeadline(user: String, password: String) async throws {
        let deadlines = Deadlines()
        let fixture = try await ServerFixture(
            settings: .init(failureDelay: .milliseconds(750)), sleepUntil: { deadlines.record($0) })
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let before = ContinuousClock.now
            let response = try await client.form("/token", ["grant_type": "password", "username": user, "password": password])
            let after = ContinuousClock.now
            #expect(response.object.string("error_description") == "invalid username or password")
            let asked = try #require(deadlines.all.first, "no delay was asked for")
            #expect(deadlines.all.count == 1)
            #expect(asked >= before + .milliseconds(750))
            #expect(asked <= after + .milliseconds(750))
        }
    }
}

/// The deadlines a failed login asked the sleeper for; returns at once so tests stay fast.
final class Deadlines: Sendable {
    private let list = Mutex<[ContinuousClock.Instant]>([])
    var all: [ContinuousClock.Instant] { list.withLock { $0 } }
    func record(_ deadline: ContinuousClock.Instant) { list.withLock { $0.append(deadline) } }
}
