import Foundation
import PamtokenCLI
import TestSupport
import Testing
import TokenCore

@Suite("Against a live pamtokend: login, token, verify, status, logout")
struct LiveLoginTests {
    @Test("login → token → verify → logout → token exits 1 with the hint")
    func fullCycle() async throws {
        try await LiveDaemon.with { daemon async throws in
            let login = await daemon.login()
            #expect(login.status == 0, "\(login)\n\(daemon.log)")
            #expect(login.stdout.isEmpty)
            #expect(!login.stderr.contains(LiveDaemon.password))
            let stored = try #require(try daemon.storedSession())
            #expect(stored.user == "root")
            #expect(stored.refreshToken.hasPrefix("ptr_"))

            let token = await daemon.cli(["token"])
            #expect(token.status == 0, "\(token)")
            let jwt = token.stdout.trimmingCharacters(in: .newlines)
            #expect(token.stdout == jwt + "\n" && jwt.split(separator: ".").count == 3, "only the token, newline-terminated")
            #expect(jwt == stored.accessToken, "a fresh cached token is reused, not refreshed")

            let verify = await daemon.cli(["verify", jwt])
            #expect(verify.status == 0, "\(verify)")
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
            #expect(claims["sub"] as? String == "root")
            #expect(claims["sid"] as? String == stored.sessionID)
            #expect(claims["iss"] as? String == stored.issuer)

            // From standard input, too.
            #expect(await daemon.cli(["verify"], stdin: jwt + "\n").status == 0)

            let logout = await daemon.cli(["logout"])
            #expect(logout.status == 0, "\(logout)")
            #expect(!FileManager.default.fileExists(atPath: daemon.paths.sessionFile))

            let after = await daemon.cli(["token"])
            #expect(after.status == 1)
            #expect(after.stderr == "pamtoken: not logged in; run 'pamtoken login'\n")
            #expect(after.stdout.isEmpty)

            // The daemon revoked the session: the old refresh token is dead.
            let refresh = try await DaemonClient(address: daemon.address).send(
                .post("/token", form: [("grant_type", "refresh_token"), ("refresh_token", stored.refreshToken)]))
            #expect(refresh.status == 400)
        }
    }

    @Test("over --url http://127.0.0.1:PORT: login, token and verify work, with a session file of their own")
    func overTCP() async throws {
        try await LiveDaemon.with(tcp: true) { daemon async throws in
            let url = "http://127.0.0.1:\(try #require(daemon.tcpPort))"
            let login = await pamtoken(
                ["login", "--password-stdin", "--url", url], stdin: LiveDaemon.password + "\n", environment: daemon.environment)
            #expect(login.status == 0, "\(login)\n\(daemon.log)")
            #expect(try daemon.storedSession() == nil, "the Unix-socket session file is another daemon address's")
            let token = await pamtoken(["token", "--url", url], environment: daemon.environment)
            #expect(token.status == 0)
            let verify = await pamtoken(["verify", "--url", url, token.stdout], environment: daemon.environment)
            #expect(verify.status == 0, "\(verify)")
            #expect(await pamtoken(["logout", "--url", url], environment: daemon.environment).status == 0)
            #expect(await pamtoken(["token", "--url", url], environment: daemon.environment).status == 1)
        }
    }

    @Test("a session made over the socket is the daemon's: --url finds it (token, status, logout), and the other way round")
    func sessionByIssuer() async throws {
        try await LiveDaemon.with(tcp: true) { daemon async throws in
            let url = "http://127.0.0.1:\(try #require(daemon.tcpPort))"
            #expect(await daemon.cli(["login", "--password-stdin"], stdin: LiveDaemon.password + "\n").status == 0)
            let token = await pamtoken(["token", "--url", url, "--min-valid", "100000"], environment: daemon.environment)
            #expect(token.status == 0, "\(token)")
            #expect(await pamtoken(["verify", "--url", url, token.stdout], environment: daemon.environment).status == 0)
            let status = await pamtoken(["status", "--url", url], environment: daemon.environment)
            #expect(status.status == 0 && status.stdout.contains("the session is live"), "\(status)")
            #expect(await daemon.cli(["token"]).status == 0, "the refresh through --url kept the socket's session usable")
            #expect(await pamtoken(["logout", "--url", url], environment: daemon.environment).status == 0)
            #expect(await daemon.cli(["token"]).status == 1, "logged out through either address")
        }
    }

    @Test("a wrong password exits 1 with one line and stores nothing")
    func wrongPassword() async throws {
        try await LiveDaemon.with { daemon async throws in
            let run = await daemon.cli(["login", "--password-stdin"], stdin: "wrong\n")
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.hasPrefix("pamtoken: login failed"))
            #expect(run.stderr.filter { $0 == "\n" }.count == 1)
            #expect(!run.stderr.contains("wrong"))
            #expect(!FileManager.default.fileExists(atPath: daemon.paths.sessionFile))
        }
    }

    @Test("not logged in with a terminal: token asks for the password, logs in and prints the token")
    func tokenPromptsAtTerminal() async throws {
        try await LiveDaemon.with { daemon async throws in
            let terminal = ScriptedTerminal(interactive: true, passwords: [LiveDaemon.password])
            let run = await daemon.cli(["token"], terminal: terminal)
            #expect(run.status == 0, "\(run)")
            #expect(terminal.prompts == ["Password: "])
            #expect(run.stdout == (try daemon.storedSession()?.accessToken ?? "-") + "\n")
        }
    }

    @Test("status shows the user, session and expiries (text and JSON) and never a token; exits 1 when logged out")
    func status() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.cli(["status"]).status == 1)
            #expect(await daemon.login().status == 0)
            let stored = try #require(try daemon.storedSession())
            let text = await daemon.cli(["status"])
            #expect(text.status == 0)
            #expect(text.stdout.contains("as root") && text.stdout.contains(stored.sessionID) && text.stdout.contains("valid until"))
            #expect(!text.stdout.contains(stored.accessToken) && !text.stdout.contains(stored.refreshToken))
            let json = await daemon.cli(["status", "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["logged_in"] as? Bool == true)
            #expect(object["session_id"] as? String == stored.sessionID)
            #expect(object["access_token_valid"] as? Bool == true)
            #expect(!json.stdout.contains(stored.refreshToken))
        }
    }

    @Test("verify refuses a token for another audience, a tampered token and an expired one, saying why")
    func verifyRefusals() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let jwt = try #require(try daemon.storedSession()?.accessToken)
            let audience = await daemon.cli(["verify", jwt, "--audience", "other-service"])
            #expect(audience.status == 1)
            #expect(audience.stderr == "pamtoken: invalid token: the token is meant for another audience\n")

            var parts = jwt.split(separator: ".").map(String.init)
            let claims = try #require(Data(base64URLEncoded: parts[1]))
            parts[1] = Data(String(decoding: claims, as: UTF8.self).replacingOccurrences(of: "\"root\"", with: "\"rooT\"").utf8)
                .base64URLEncodedString()
            let tampered = await daemon.cli(["verify", parts.joined(separator: ".")])
            #expect(tampered.status == 1)
            #expect(tampered.stderr == "pamtoken: invalid token: the token's signature is invalid\n")
            #expect(tampered.stdout.isEmpty, "claims of an invalid token are not printed")

            let expired = await pamtoken(
                ["verify", jwt, "--socket", daemon.socket], environment: daemon.environment, terminal: ScriptedTerminal(),
                clock: ManualClock(Date().addingTimeInterval(3_600)))
            #expect(expired.status == 1)
            #expect(expired.stderr == "pamtoken: invalid token: the token has expired\n")
        }
    }

    @Test("pamtoken token | pamtoken verify succeeds whatever audiences the daemon is configured with")
    func verifyDaemonAudience() async throws {
        try await LiveDaemon.with(audiences: ["kubernetes", "grafana"]) { daemon in
            #expect(await daemon.cli(["login", "--password-stdin"], stdin: LiveDaemon.password + "\n").status == 0)
            let token = await daemon.cli(["token"])
            let verify = await daemon.cli(["verify"], stdin: token.stdout)
            #expect(verify.status == 0, "\(verify)")
            #expect(await daemon.cli(["verify", "--audience", "pamtoken"], stdin: token.stdout).status == 1, "--audience narrows")
        }
    }
}
