import Foundation
import PamtokenWire
import Synchronization
import TestSupport
import Testing

@testable import PamtokenCLI

/// A daemon that answers from a script and records what it was asked: commands tested without a
/// socket, a PAM stack or a running pamtokend.
final class ScriptedDaemon: DaemonService {
    let address: DaemonAddress
    private let log = Mutex<[String]>([])
    var calls: [String] { log.withLock { $0 } }

    /// What discovery lists in `grant_types_supported`.
    let grantTypes: [String]
    /// Whether `/userinfo` says the session was revoked.
    let revoked: Bool

    /// What `POST /conversation` answers, in turn; nil: the daemon has none (an older daemon).
    private let conversation: Mutex<[ConversationStep]>
    private let conversing: Bool

    init(
        address: DaemonAddress = .unix(path: "/run/scripted.sock"), grantTypes: [String] = ["password"], revoked: Bool = false,
        conversation: [ConversationStep]? = nil
    ) {
        self.address = address
        self.grantTypes = grantTypes
        self.revoked = revoked
        self.conversation = Mutex(conversation ?? [])
        self.conversing = conversation != nil
    }

    func converse(_ form: [(String, String)]) async throws -> ConversationStep? {
        guard conversing else { return nil }
        record("converse " + form.map { "\($0.0)=\($0.1)" }.joined(separator: "&"))
        return conversation.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    private func record(_ call: String) { log.withLock { $0.append(call) } }

    func passwordGrant(user: String, password: String) async throws -> TokenResponse {
        record("passwordGrant \(user)")
        return SessionFileTests.response()
    }
    func peerCredentialsGrant() async throws -> TokenResponse {
        record("peerCredentialsGrant")
        return SessionFileTests.response()
    }
    func refreshGrant(_ refreshToken: String) async throws -> TokenResponse {
        record("refreshGrant")
        return SessionFileTests.response()
    }
    func revoke(_ token: String) async throws { record("revoke") }
    func sessions(bearer: String) async throws -> (sessions: [SessionInfo], json: Data) { ([], Data(#"{"sessions":[]}"#.utf8)) }
    func deleteSession(id: String, bearer: String) async throws { record("deleteSession \(id)") }
    func metadata() async throws -> ServerMetadata { ServerMetadata(issuer: "http://issuer", grantTypes: grantTypes, idTokenAlgorithms: ["ES256"]) }
    func jwks() async throws -> Data { Data(#"{"keys":[]}"#.utf8) }
    func userinfo(bearer: String) async throws -> UserInfo {
        record("userinfo")
        if revoked { throw DaemonError(status: 401, code: "invalid_token", detail: "the session has been revoked") }
        return UserInfo(sub: "alice", uid: 1000, gid: 1000, groups: ["alice"], name: nil)
    }
    func adminSessions(user: String?) async throws -> (sessions: [SessionInfo], json: Data) {
        record("adminSessions \(user ?? "*")")
        let session = SessionInfo(
            id: "s-1", user: "alice", createdAt: 1_800_000_000, lastUsedAt: 1_800_000_100, expiresAt: 1_800_600_000, authMethod: "pwd",
            clientID: "pamtoken", peer: "uid 1000 pid 7", current: nil)
        return ([session], try JSONEncoder().encode(SessionList(sessions: [session])))
    }
    func adminRevoke(user: String?, session: String?) async throws -> Int {
        record("adminRevoke \(user ?? "-") \(session ?? "-")")
        return 3
    }
    func adminKeys(rotate: Bool) async throws -> (list: KeyList, json: Data) {
        record("adminKeys rotate=\(rotate)")
        let key = KeyInfo(kid: "kid-1", alg: "ES256", active: true, createdAt: 1_800_000_000, retiredAt: nil)
        let list = KeyList(keys: [key], fleet: [FleetKeyInfo(kid: "kid-b", alg: "ES256", host: "host-b", notAfter: 1_800_000_600)])
        return (list, try JSONEncoder().encode(list))
    }
    func adminGC() async throws -> (report: GarbageReport, json: Data) {
        record("adminGC")
        let report = GarbageReport(deletedRows: 12, prunedKeys: ["old-kid"])
        return (report, try JSONEncoder().encode(report))
    }
}

@Suite("Commands against a scripted daemon")
struct ScriptedDaemonTests {
    @Test("admin gc, revoke and keys render what the daemon answered, and ask it exactly once")
    func adminCommands() async {
        let daemon = ScriptedDaemon()
        let socket = ["--socket", "/run/scripted.sock"]
        let gc = await pamtoken(["admin", "gc"] + socket, daemon: { _ in daemon })
        #expect(gc.status == 0, "\(gc)")
        #expect(gc.stdout == "Deleted 12 expired or revoked rows; pruned keys old-kid.\n")
        let revoke = await pamtoken(["admin", "revoke", "--user", "alice"] + socket, daemon: { _ in daemon })
        #expect(revoke.status == 0, "\(revoke)")
        #expect(revoke.stdout.contains("3"))
        let keys = await pamtoken(["admin", "keys"] + socket, daemon: { _ in daemon })
        #expect(keys.status == 0, "\(keys)")
        #expect(keys.stdout.contains("kid-1") && keys.stdout.contains("ES256"))
        #expect(keys.stdout.contains("Other hosts' keys (fleet):") && keys.stdout.contains("host-b"), "a fleet host lists the keys it trusts")
        #expect(daemon.calls == ["adminGC", "adminRevoke alice -", "adminKeys rotate=false"])
    }

    @Test("admin sessions prints the listing as a table, and --format json passes the daemon's JSON on")
    func adminSessions() async throws {
        let daemon = ScriptedDaemon()
        let table = await pamtoken(["admin", "sessions", "--socket", "/run/scripted.sock"], daemon: { _ in daemon })
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.contains("alice") && table.stdout.contains("s-1"))
        let json = await pamtoken(["admin", "sessions", "--format", "json", "--socket", "/run/scripted.sock"], daemon: { _ in daemon })
        let decoded = try JSONDecoder().decode(SessionList.self, from: Data(json.stdout.utf8))
        #expect(decoded.sessions.map(\.id) == ["s-1"])
    }

    @Test("admin commands refuse --url before asking anything: the admin routes are on the socket only")
    func adminOverTCP() async {
        let daemon = ScriptedDaemon()
        let run = await pamtoken(["admin", "gc", "--url", "http://127.0.0.1:8719"], daemon: { _ in daemon })
        #expect(run.status == 2)
        #expect(daemon.calls.isEmpty)
    }

    @Test("login uses the peer-credential grant on the socket when the daemon offers it, and the password otherwise")
    func peerCredentialLogin() async throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-peercred-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let environment = ["XDG_RUNTIME_DIR": runtime]
        let socket = ["--socket", "/run/scripted.sock"]
        let offering = ScriptedDaemon(grantTypes: ["password", "urn:pamtoken:params:grant-type:peercred"])
        let automatic = await pamtoken(["login"] + socket, environment: environment, daemon: { _ in offering })
        #expect(automatic.status == 0, "\(automatic)")
        #expect(automatic.stderr.contains("by peer credentials"))
        let typed = await pamtoken(["login", "--password-stdin"] + socket, stdin: "pw\n", environment: environment, daemon: { _ in offering })
        #expect(typed.status == 0, "\(typed)")
        #expect(offering.calls.filter { $0.hasSuffix("Grant") || $0.hasPrefix("passwordGrant") } == ["peerCredentialsGrant", "passwordGrant root"])

        let plain = ScriptedDaemon()
        let explicit = await pamtoken(["login", "--peercred"] + socket, environment: environment, daemon: { _ in plain })
        #expect(explicit.status == 0 && plain.calls.contains("peerCredentialsGrant"), "\(explicit)")
        #expect(await pamtoken(["login", "--peercred", "--url", "http://127.0.0.1:1"], environment: environment).status == 2)
        #expect(await pamtoken(["login", "--peercred", "--password-stdin"] + socket, environment: environment).status == 2)
    }

    @Test("status and token --check ask the daemon: a session revoked elsewhere is reported as revoked, exit 1")
    func revokedElsewhere() async throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-revoked-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let environment = ["XDG_RUNTIME_DIR": runtime]
        let socket = ["--socket", "/run/scripted.sock"]
        // The scripted access token expires at 2000 (seconds since 1970): a clock before that keeps it valid.
        let clock = ManualClock(Date(timeIntervalSince1970: 1000))
        let live = ScriptedDaemon()
        #expect(
            await pamtoken(["login", "--password-stdin"] + socket, stdin: "pw\n", environment: environment, clock: clock, daemon: { _ in live })
                .status == 0)
        let fine = await pamtoken(["status"] + socket, environment: environment, clock: clock, daemon: { _ in live })
        #expect(fine.status == 0 && fine.stdout.contains("the session is live"), "\(fine)")
        #expect(await pamtoken(["token", "--check"] + socket, environment: environment, clock: clock, daemon: { _ in live }).status == 0)

        let revoked = ScriptedDaemon(revoked: true)
        let offline = await pamtoken(["token"] + socket, environment: environment, clock: clock, daemon: { _ in revoked })
        #expect(offline.status == 0, "without --check the cached token is printed, as before")
        let checked = await pamtoken(["token", "--check"] + socket, environment: environment, clock: clock, daemon: { _ in revoked })
        #expect(checked.status == 1 && checked.stderr == "pamtoken: session revoked; run 'pamtoken login'\n", "\(checked)")
        let status = await pamtoken(["status"] + socket, environment: environment, clock: clock, daemon: { _ in revoked })
        #expect(status.status == 1 && status.stderr.contains("session revoked"), "\(status)")
    }
}
