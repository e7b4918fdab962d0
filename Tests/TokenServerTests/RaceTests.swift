import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TokenAuthority
import TokenCore
import TokenServer

@Suite("Races over the real socket", .serialized)
struct RaceTests {
    @Test("32 concurrent refreshes of one token, 200 rounds: exactly one succeeds each round")
    func concurrentRefreshes() async throws {
        let fixture = try await ServerFixture(peer: .unknown)
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live async throws in
            var winners: [Int] = []
            for _ in 0..<200 {
                let login = try await LiveClient.send(
                    live.unixURL + "/token", method: .POST, form: ["grant_type": "password", "username": "alice", "password": "wonderland"])
                let token = login.object["refresh_token"] as? String ?? ""
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<32 {
                        group.addTask {
                            try await LiveClient.send(
                                live.unixURL + "/token", method: .POST, form: ["grant_type": "refresh_token", "refresh_token": token]
                            ).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                winners.append(statuses.filter { $0 == 200 }.count)
                let unexpected = statuses.filter { $0 != 200 && $0 != 400 }
                #expect(unexpected.isEmpty, "\(statuses)")
            }
            #expect(winners.allSatisfy { $0 == 1 }, "rounds with other than one winner: \(winners.enumerated().filter { $0.element != 1 })")
        }
    }
}
