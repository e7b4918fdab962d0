import Foundation
import PamtokenCLI
import Testing
import TokenCore

@Suite("Against a live pamtokend: refreshing the cached token")
struct LiveRefreshTests {
    @Test("a cached token near expiry is refreshed: a new access token, a new refresh token on disk, one rotation")
    func refreshNearExpiry() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let before = try #require(try daemon.storedSession())
            // Age the cache: 5 s left is under the default --min-valid of 30 s.
            try daemon.updateStoredSession { $0.accessTokenExpiresAt = Int64(Date().timeIntervalSince1970) + 5 }

            let run = await daemon.cli(["token"])
            #expect(run.status == 0, "\(run)")
            let after = try #require(try daemon.storedSession())
            #expect(after.refreshToken != before.refreshToken, "rotation: the new refresh token was saved")
            #expect(after.accessToken != before.accessToken)
            #expect(run.stdout == after.accessToken + "\n", "the printed token is the one saved")
            #expect(after.sessionID == before.sessionID)
            #expect(after.loggedInAt == before.loggedInAt)
            #expect(try await daemon.metric("pamtoken_refresh_rotations_total") == 1)

            // A fresh cache is reused: no second rotation.
            #expect(await daemon.cli(["token"]).stdout == run.stdout)
            #expect(try await daemon.metric("pamtoken_refresh_rotations_total") == 1)
        }
    }

    @Test("--min-valid longer than the access TTL forces a refresh every time, each with the latest refresh token")
    func minValidForcesRefresh() async throws {
        try await LiveDaemon.with(accessTTL: 60) { daemon async throws in
            #expect(await daemon.login().status == 0)
            var seen = Set<String>()
            for _ in 0..<3 {
                let run = await daemon.cli(["token", "--min-valid", "120"])
                #expect(run.status == 0, "\(run)")
                seen.insert(run.stdout)
            }
            #expect(seen.count == 3)
            #expect(try await daemon.metric("pamtoken_refresh_rotations_total") == 3)
            #expect((try await daemon.metric("pamtoken_refresh_reuse_detections_total") ?? 0) == 0)
        }
    }

    @Test("a refused refresh (session revoked by an admin) deletes the local session and says so")
    func refusedRefresh() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let session = try #require(try daemon.storedSession())
            let revoke = await daemon.cli(["admin", "revoke", "--session", session.sessionID])
            #expect(revoke.status == 0, "\(revoke)\n\(daemon.log)")
            let run = await daemon.cli(["token", "--min-valid", "100000"])
            #expect(run.status == 1)
            #expect(run.stderr == "pamtoken: the session has ended (the daemon refused to refresh it); run 'pamtoken login'\n")
            #expect(run.stdout.isEmpty)
            #expect(try daemon.storedSession() == nil)
        }
    }

    @Test("sessions with a cached token whose session was revoked elsewhere: one refresh attempt, then 'session has ended'")
    func bearerRefusedThenRefreshRefused() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let session = try #require(try daemon.storedSession())
            let revoke = await daemon.cli(["admin", "revoke", "--session", session.sessionID])
            #expect(revoke.status == 0, "\(revoke)\n\(daemon.log)")
            // The cached access token is still fresh locally, but the daemon refuses it (401).
            let run = await daemon.cli(["sessions"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr == "pamtoken: the session has ended (the daemon refused to refresh it); run 'pamtoken login'\n")
            #expect(try daemon.storedSession() == nil)
        }
    }

    @Test("exec-credential from a live session carries the cached token and its exp as RFC 3339 UTC")
    func execCredential() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let run = await daemon.cli(["token", "--format", "exec-credential"])
            #expect(run.status == 0)
            let stored = try #require(try daemon.storedSession())
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let status = try #require(object["status"] as? [String: Any])
            #expect(object["apiVersion"] as? String == "client.authentication.k8s.io/v1")
            #expect(object["kind"] as? String == "ExecCredential")
            #expect(status["token"] as? String == stored.accessToken)
            #expect(status["expirationTimestamp"] as? String == TimeFormatting.rfc3339(stored.accessExpiry))
            #expect(await daemon.cli(["verify", stored.accessToken]).status == 0)
        }
    }
}
