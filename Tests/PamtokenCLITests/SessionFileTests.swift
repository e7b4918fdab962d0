import Foundation
import PamtokenWire
import Testing
import TokenCore

@testable import PamtokenCLI

@Suite("Session files: where they live and their permissions")
struct SessionFileTests {
    @Test("XDG_RUNTIME_DIR/pamtoken when set (and absolute), else ~/.cache/pamtoken, else a refusal")
    func directoryChoice() throws {
        #expect(try SessionPaths.directory(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], homeDirectory: "/home/a") == "/run/user/1000/pamtoken")
        #expect(try SessionPaths.directory(environment: [:], homeDirectory: "/home/a") == "/home/a/.cache/pamtoken")
        #expect(try SessionPaths.directory(environment: ["XDG_RUNTIME_DIR": "relative"], homeDirectory: "/home/a") == "/home/a/.cache/pamtoken")
        #expect(throws: CLIError.self) { try SessionPaths.directory(environment: [:], homeDirectory: nil) }
    }

    @Test("each daemon address gets its own files; the same socket spelled differently shares them")
    func onePerDaemon() {
        let system = SessionPaths(directory: "/d", address: .unix(path: "/run/pamtoken/pamtoken.sock"))
        let other = SessionPaths(directory: "/d", address: .unix(path: "/tmp/test.sock"))
        let tcp = SessionPaths(directory: "/d", address: .tcp(host: "127.0.0.1", port: 8719, basePath: ""))
        #expect(Set([system.sessionFile, other.sessionFile, tcp.sessionFile]).count == 3)
        #expect(SessionPaths(directory: "/d", address: .unix(path: "/run/pamtoken//pamtoken.sock")).sessionFile == system.sessionFile)
        #expect(system.lockFile.hasPrefix("/d/daemon-") && system.lockFile.hasSuffix(".lock"))
    }

    @Test("saving creates the directory 0700 and the file 0600 atomically, even under a permissive umask")
    func modes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-modes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let old = umask(0)
        defer { umask(old) }
        let file = SessionFile(SessionPaths(directory: root + "/pamtoken", address: .unix(path: "/tmp/x.sock")))
        let session = try StoredSession(response: Self.response(), address: .unix(path: "/tmp/x.sock"), now: Date())
        try file.save(session)
        #expect(try Self.mode(root + "/pamtoken") == 0o700)
        #expect(try Self.mode(file.paths.sessionFile) == 0o600)
        #expect(try file.load() == session)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/pamtoken") == [(file.paths.sessionFile as NSString).lastPathComponent])
        // A file that others can read is refused, not trusted.
        chmod(file.paths.sessionFile, 0o644)
        #expect(throws: CLIError.self) { try file.load() }
    }

    @Test("the session's id, user, issuer and expiry come from the access token; a token without them is refused")
    func fromResponse() throws {
        let session = try StoredSession(response: Self.response(), address: .unix(path: "/s"), now: Date(timeIntervalSince1970: 1_000))
        #expect(session.sessionID == "sid-1")
        #expect(session.user == "alice")
        #expect(session.issuer == "http://issuer")
        #expect(session.accessTokenExpiresAt == Int64(2_000))
        #expect(session.refreshTokenExpiresAt == Int64(1_600))
        #expect(session.daemon == "unix:/s")
        var bad = Self.response()
        bad.accessToken = "not.a.jwt"
        #expect(throws: CLIError.self) { try StoredSession(response: bad, address: .unix(path: "/s"), now: Date()) }
    }

    @Test("logout with the daemon unreachable still deletes the local session, warns on stderr, and exits 0")
    func logoutWhileDaemonDown() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-logout-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let address = DaemonAddress.unix(path: root + "/gone.sock")
        let file = SessionFile(SessionPaths(directory: root + "/pamtoken", address: address))
        try file.save(try StoredSession(response: Self.response(), address: address, now: Date()))

        let run = await pamtoken(["logout", "--socket", root + "/gone.sock"], environment: ["XDG_RUNTIME_DIR": root])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.hasPrefix("pamtoken: warning: cannot reach pamtokend at unix:\(root)/gone.sock: No such file or directory;"))
        #expect(!run.stderr.contains("ptr_x"))
        #expect(!FileManager.default.fileExists(atPath: file.paths.sessionFile))
        // Logging out again is not an error.
        #expect(await pamtoken(["logout", "--socket", root + "/gone.sock"], environment: ["XDG_RUNTIME_DIR": root]).status == 0)
    }

    static func response() -> TokenResponse {
        func part(_ json: String) -> String { Data(json.utf8).base64URLEncodedString() }
        let jwt =
            part(#"{"alg":"ES256","typ":"at+jwt","kid":"k"}"#) + "." + part(#"{"iss":"http://issuer","sub":"alice","sid":"sid-1","exp":2000}"#)
            + ".sig"
        let json = #"{"access_token":"\#(jwt)","token_type":"Bearer","expires_in":300,"refresh_token":"ptr_x","refresh_token_expires_in":600}"#
        return try! JSONDecoder().decode(TokenResponse.self, from: Data(json.utf8))
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
