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

@Suite("The tutorial's routes (docs/api.md#tutorial-routes)")
struct TutorialRouteTests {
    @Test("authenticate: Access_Token and Refresh_Token, or 401 'Incorrect username or password!'")
    func authenticate() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let ok = try await client.json("/api/users/authenticate", ["Name": "alice", "Password": "wonderland"])
            #expect(ok.status == .ok)
            #expect(ok.object.string("Access_Token").split(separator: ".").count == 3)
            #expect(ok.object.string("Refresh_Token").hasPrefix("ptr_"))
            let bad = try await client.json("/api/users/authenticate", ["Name": "alice", "Password": "nope"])
            #expect(bad.status == .unauthorized)
            #expect(bad.text == "Incorrect username or password!")
            let empty = try await client.json("/api/users/authenticate", [:])
            #expect(empty.status == .unauthorized)
        }
    }

    @Test("refresh with an expired access token and its user's refresh token rotates; mismatches are 'Invalid attempt!'")
    func refresh() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let alice = try await client.json("/api/users/authenticate", ["Name": "alice", "Password": "wonderland"]).object
            let bob = try await client.json("/api/users/authenticate", ["Name": "bob", "Password": "builder"]).object
            fixture.clock.advance(by: 600)

            let mismatch = try await client.json(
                "/api/users/refresh", ["Access_Token": bob.string("Access_Token"), "Refresh_Token": alice.string("Refresh_Token")])
            #expect(mismatch.status == .unauthorized)
            #expect(mismatch.text == "Invalid attempt!")

            let ok = try await client.json(
                "/api/users/refresh", ["Access_Token": alice.string("Access_Token"), "Refresh_Token": alice.string("Refresh_Token")])
            #expect(ok.status == .ok)
            #expect(ok.object.string("Refresh_Token") != alice.string("Refresh_Token"))

            let replay = try await client.json(
                "/api/users/refresh", ["Access_Token": alice.string("Access_Token"), "Refresh_Token": alice.string("Refresh_Token")])
            #expect(replay.status == .unauthorized, "reuse rules apply here too")

            let forged = try await client.json("/api/users/refresh", ["Access_Token": "x.y.z", "Refresh_Token": alice.string("Refresh_Token")])
            #expect(forged.text == "Invalid attempt!")
        }
    }
}
