import Foundation
import PamtokenCLI
import Testing

@Suite("Against a live pamtokend: sessions and admin commands")
struct LiveSessionsTests {
    @Test("sessions lists every session with * on the current one; revoking another ends it there; unknown ids exit 1")
    func listAndRevoke() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let mine = try #require(try daemon.storedSession())
            // A second login of the same user from another "machine" (another runtime directory).
            let elsewhere = ["XDG_RUNTIME_DIR": daemon.directory + "/xdg-elsewhere"]
            let other = await pamtoken(
                ["login", "--password-stdin", "--socket", daemon.socket], stdin: LiveDaemon.password + "\n", environment: elsewhere)
            #expect(other.status == 0)

            let list = await daemon.cli(["sessions"])
            #expect(list.status == 0, "\(list)")
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.count == 3, "a header and two sessions:\n\(list.stdout)")
            #expect(lines.first?.contains("LAST USED") == true)
            let current = try #require(lines.first { $0.hasPrefix("*") })
            #expect(current.contains(mine.sessionID))
            let otherLine = try #require(lines.dropFirst().first { !$0.hasPrefix("*") })
            let otherID = String(otherLine.split(separator: " ")[0])
            #expect(otherID != mine.sessionID)

            let revoke = await daemon.cli(["sessions", "revoke", otherID])
            #expect(revoke.status == 0, "\(revoke)")
            let refused = await pamtoken(["token", "--min-valid", "100000", "--socket", daemon.socket], environment: elsewhere)
            #expect(refused.status == 1)

            let unknown = await daemon.cli(["sessions", "revoke", "no-such-session"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "pamtoken: no such session of yours: no-such-session\n")

            // Revoking the current session logs out locally too.
            #expect(await daemon.cli(["sessions", "revoke", mine.sessionID]).status == 0)
            #expect(try daemon.storedSession() == nil)
        }
    }

    @Test("admin keys list and rotate; verify fetches the JWKS again for the new key")
    func adminKeys() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let firstToken = try #require(try daemon.storedSession()?.accessToken)
            #expect(await daemon.cli(["verify", firstToken]).status == 0)  // caches the JWKS with one key

            let list = await daemon.cli(["admin", "keys", "list", "--format", "json"])
            #expect(list.status == 0, "\(list)")
            let keys = try Self.keys(list.stdout)
            #expect(keys.count == 1)
            let firstKid = try #require(keys.first?["kid"] as? String)
            #expect(keys.first?["active"] as? Bool == true)

            let rotate = await daemon.cli(["admin", "keys", "rotate"])
            #expect(rotate.status == 0, "\(rotate)")
            #expect(rotate.stdout.contains(firstKid))
            let rotated = try Self.keys(await daemon.cli(["admin", "keys", "list", "--format", "json"]).stdout)
            #expect(rotated.count == 2)
            let active = try #require(rotated.first { $0["active"] as? Bool == true }?["kid"] as? String)
            #expect(active != firstKid)

            let fresh = await daemon.cli(["token", "--min-valid", "100000"])
            #expect(fresh.status == 0, "\(fresh)\n\(daemon.log)")
            let verify = await daemon.cli(["verify", fresh.stdout.trimmingCharacters(in: .newlines)])
            #expect(verify.status == 0, "a token signed by the new key verifies after one JWKS refetch: \(verify)")
            #expect(await daemon.cli(["verify", firstToken]).status == 0, "the retired key still verifies its tokens")
        }
    }

    @Test("admin sessions, admin revoke --user, admin gc")
    func adminSessions() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let session = try #require(try daemon.storedSession())
            let table = await daemon.cli(["admin", "sessions", "--user", "root"])
            #expect(table.status == 0, "\(table)")
            #expect(table.stdout.contains(session.sessionID) && table.stdout.contains("USER"))
            let json = await daemon.cli(["admin", "sessions", "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect((object["sessions"] as? [Any])?.count == 1)
            #expect((await daemon.cli(["admin", "sessions", "--user", "nobody-here"])).stdout.split(separator: "\n").count == 1)

            let revoke = await daemon.cli(["admin", "revoke", "--user", "root"])
            #expect(revoke.status == 0)
            #expect(revoke.stdout == "Revoked 1 session.\n")
            #expect(await daemon.cli(["admin", "sessions", "--user", "root"]).stdout.split(separator: "\n").count == 1)

            let gc = await daemon.cli(["admin", "gc", "--format", "json"])
            #expect(gc.status == 0, "\(gc)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(gc.stdout.utf8)) as? [String: Any])
            #expect(report["deleted_rows"] is Int)
        }
    }

    static func keys(_ json: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["keys"] as? [[String: Any]])
    }
}
