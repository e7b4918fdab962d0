import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import LinuxPAM
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer
import TokenStore

/// PAM as a dictionary: `users` name → password; names in `refusedAccounts` fail `pam_acct_mgmt`.
final class FakeAuthenticator: Authenticator {
    private let state: Mutex<(passwords: [String: String], refused: Set<String>, calls: Int)>
    private let broken = Mutex(false)
    private let gate = Mutex<AuthenticationGate?>(nil)
    private let aliases = Mutex<[String: String]>([:])

    init(passwords: [String: String]) {
        state = Mutex((passwords, [], 0))
        (endings, ended) = AsyncStream.makeStream()
    }

    /// Makes every PAM call fail as PAM itself failing (SSSD down, shadow unreadable).
    func breakPAM() {
        broken.withLock { $0 = true }
    }

    var calls: Int { state.withLock { $0.calls } }

    func refuseAccount(_ user: String) {
        state.withLock { _ = $0.refused.insert(user) }
    }

    /// Makes every authentication wait at `gate` (after counting the call) until the test opens it.
    func hold(at gate: AuthenticationGate) {
        self.gate.withLock { $0 = gate }
    }

    /// Makes PAM settle on `canonical` when `name` is typed, as pam_sss or a mapping module may.
    func alias(_ name: String, to canonical: String) {
        aliases.withLock { $0[name] = canonical }
    }

    func authenticate(user typed: String, password: String, remoteHost: String?) async throws(PAMError) -> String {
        let user = aliases.withLock { $0[typed] } ?? typed
        let (exists, known, refused) = state.withLock { state in
            state.calls += 1
            return (state.passwords[user] != nil, state.passwords[user] == password, state.refused.contains(user))
        }
        if let gate = gate.withLock({ $0 }) { await gate.pass() }
        // As pam_unix does: an unknown user is PAM_USER_UNKNOWN, a wrong password PAM_AUTH_ERR.
        guard exists else { throw PAMError.unknownUser }
        guard known else { throw PAMError.badCredentials }
        guard !refused else { throw PAMError.accountExpired }
        // A password alone cannot answer a one-time code, nor change an expired password.
        if codes.withLock({ $0[user] }) != nil { throw PAMError.moreInputRequired }
        if expired.withLock({ $0.contains(user) }) { throw PAMError.passwordExpired }
        return user
    }

    // MARK: Conversations: a scripted PAM stack on a thread of its own, as PAMAuthenticator runs one

    private let codes = Mutex<[String: String]>([:])
    private let expired = Mutex<Set<String>>([])
    private let notices = Mutex<[String: String]>([:])

    /// Makes the stack ask `user` for this one-time code after the password, as pam_oath does: asked
    /// whatever the password was (`required`), with its own prompt text.
    func requireCode(_ code: String, for user: String) {
        codes.withLock { $0[user] = code }
    }

    /// Makes `pam_acct_mgmt` say the password of `user` must be changed (PAM_NEW_AUTHTOK_REQD).
    func expirePassword(of user: String) {
        expired.withLock { _ = $0.insert(user) }
    }

    /// Makes the stack send `text` as information before its first prompt.
    func notice(_ text: String, for user: String) {
        notices.withLock { $0[user] = text }
    }

    func password(of user: String) -> String? { state.withLock { $0.passwords[user] } }

    /// One element each time a conversation's transaction has ended on its thread.
    let endings: AsyncStream<Void>
    private let ended: AsyncStream<Void>.Continuation

    func converse(user typed: String, password: String?, remoteHost: String?, changeExpiredPassword: Bool, dialog: PAMDialog) {
        Thread {
            dialog.end(self.script(typed, password: password, changeExpiredPassword: changeExpiredPassword, dialog: dialog))
            self.ended.yield()
        }.start()
    }

    /// pam_unix (+ pam_oath) as a script: the blocking side of the dialog, on its own thread.
    private func script(_ typed: String, password: String?, changeExpiredPassword: Bool, dialog: PAMDialog) -> Result<PAMReport, PAMError> {
        let user = aliases.withLock { $0[typed] } ?? typed
        state.withLock { $0.calls += 1 }
        var typedInAdvance = password
        var said: [String] = []
        func ask(_ kind: PAMMessage.Kind, _ text: String) -> String? {
            if kind == .secretPrompt, let given = typedInAdvance {
                typedInAdvance = nil
                return given
            }
            return dialog.ask([PAMMessage(kind, text)])?.first ?? nil
        }
        func tell(_ kind: PAMMessage.Kind, _ text: String) {
            said.append(text)
            _ = dialog.ask([PAMMessage(kind, text)])
        }
        if let notice = notices.withLock({ $0[user] }) { tell(.info, notice) }
        guard let answer = ask(.secretPrompt, "Password: ") else { return .failure(PAMError.conversationEnded) }
        var right = state.withLock { $0.passwords[user] } == answer
        if let code = codes.withLock({ $0[user] }) {
            guard let given = ask(.secretPrompt, "One-time password (OATH) for `\(user)': ") else { return .failure(PAMError.conversationEnded) }
            right = right && given == code
        }
        guard state.withLock({ $0.passwords[user] }) != nil else { return .failure(PAMError.unknownUser) }
        guard right else { return .failure(PAMError.badCredentials) }
        guard !state.withLock({ $0.refused.contains(user) }) else { return .failure(PAMError.accountExpired) }
        guard expired.withLock({ $0.contains(user) }) else { return .success(PAMReport(user: user, moduleMessages: said)) }
        guard changeExpiredPassword else { return .failure(PAMError.passwordExpired) }
        tell(.error, "You are required to change your password immediately (administrator enforced).")
        guard let current = ask(.secretPrompt, "Current password: "), let new = ask(.secretPrompt, "New password: "),
            let again = ask(.secretPrompt, "Retype new password: ")
        else { return .failure(PAMError.conversationEnded) }
        guard current == state.withLock({ $0.passwords[user] }) else {
            return .failure(PAMError.passwordNotChanged.at(.changePassword, messages: ["Authentication token manipulation error"]))
        }
        guard new == again else { return .failure(PAMError.passwordNotChanged.at(.changePassword, messages: ["Sorry, passwords do not match."])) }
        guard new.count >= 6 else {
            return .failure(PAMError.passwordNotChanged.at(.changePassword, messages: ["You must choose a longer password."]))
        }
        state.withLock { $0.passwords[user] = new }
        expired.withLock { _ = $0.remove(user) }
        return .success(PAMReport(user: user, moduleMessages: said, passwordChanged: true))
    }

    func checkAccount(user: String, remoteHost: String?) async throws(PAMError) {
        if broken.withLock({ $0 }) { throw PAMError.systemError }
        let refused = state.withLock { state in
            state.calls += 1
            return state.refused.contains(user)
        }
        if refused { throw PAMError.accountExpired }
    }
}

/// A user database in memory.
final class FakeUserDirectory: UserDirectory {
    private let users: Mutex<[String: UserIdentity]>

    init(_ users: [UserIdentity]) {
        self.users = Mutex(Dictionary(uniqueKeysWithValues: users.map { ($0.user, $0) }))
    }

    func set(_ identity: UserIdentity?, for name: String) {
        users.withLock { $0[name] = identity }
    }

    func user(named name: String) async -> UserIdentity? { users.withLock { $0[name] } }
    func user(uid: UInt32) async -> UserIdentity? { users.withLock { $0.values.first { $0.uid == uid } } }
    func isMember(uid: UInt32, ofGroup group: String) async -> Bool { await user(uid: uid)?.groups.contains(group) ?? false }
}

/// Collects log lines, to prove that no secret is ever logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    private struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}

/// The whole server on fakes: PAM, users, a manual clock, a fresh state directory.
struct ServerFixture {
    static let alice = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice", "developers"], name: "Alice Liddell")
    static let bob = UserIdentity(user: "bob", uid: 1001, gid: 1001, groups: ["bob"], name: nil)
    static let root = UserIdentity(user: "root", uid: 0, gid: 0, groups: ["root"], name: "root")
    static let passwords = ["alice": "wonderland", "bob": "builder", "root": "toor"]

    let directory: String
    let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
    let pam = FakeAuthenticator(passwords: passwords)
    let users = FakeUserDirectory([alice, bob, root])
    let logs = LogCapture()
    let server: TokenRouter
    let policy: TokenPolicy
    let store: SessionStore

    init(
        peer: Peer = .unix(uid: 1000, gid: 1000, pid: 4242), reuseGrace: TimeInterval = 0,
        settings: Authority.Settings = .init(failureDelay: .zero, peercredGrant: true),
        limits: LoginThrottle.Limits = .init(userFailures: 3, peerFailures: 10, window: 900, maxBackoff: 60),
        originPolicy: RequestOriginPolicy? = nil, sleepUntil: Authority.Sleeper? = nil, sharingStateWith other: ServerFixture? = nil,
        clients: [OAuthClient] = []
    ) async throws {
        directory =
            other?.directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-server-\(UUID().uuidString)").path
        policy = TokenPolicy(issuer: "http://127.0.0.1:8719", audiences: ["pamtoken"], reuseGrace: reuseGrace)
        let keyRing = try await KeyRing.open(
            directory: directory + "/keys", algorithm: .es256, idTokenAlgorithms: clients.compactMap(\.idTokenAlgorithm), clock: clock)
        // A restart: the store is one process's at a time (StoreLock), so the old server lets go first.
        try other?.store.close()
        store = try SessionStore.open(path: directory + "/pamtoken.sqlite", clock: clock)
        let authority = Authority(
            policy: policy, keyRing: keyRing, store: store, authenticator: pam, users: users,
            throttle: LoginThrottle(limits: limits, clock: clock), settings: settings, metrics: ServerMetrics(), clock: clock,
            logger: logs.logger, clients: ClientRegistry(clients, verifySecret: { await SecretHash.verify($0, against: $1) }),
            sleepUntil: sleepUntil ?? { try? await Task.sleep(until: $0, clock: .continuous) })
        server = TokenRouter(authority: authority, peers: PeerDirectory(fallback: peer), originPolicy: originPolicy, logger: logs.logger)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` against the router in-process (Hummingbird's `.router` test mode).
    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: server.buildRouter(), logger: logs.logger)
        try await app.test(.router, body)
    }
}

/// Request helpers: form-encoded POSTs and Bearer GETs, decoding JSON answers.
extension TestClientProtocol {
    @discardableResult
    func form(_ path: String, _ fields: [String: String], method: HTTPRequest.Method = .post) async throws -> TestResponse {
        let body = fields.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.joined(separator: "&")
        return try await execute(
            uri: path, method: method, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
    }

    func json(_ path: String, _ object: [String: String]) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await execute(uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: data))
    }

    func bearer(_ path: String, _ token: String, method: HTTPRequest.Method = .get) async throws -> TestResponse {
        try await execute(uri: path, method: method, headers: [.authorization: "Bearer \(token)"])
    }

    func login(_ user: String = "alice", _ password: String = "wonderland") async throws -> [String: Any] {
        let response = try await form("/token", ["grant_type": "password", "username": user, "password": password])
        guard response.status == .ok else { throw FixtureError("login failed: \(response.status) \(response.text)") }
        return response.object
    }

    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}

extension [String: Any] {
    func string(_ key: String) -> String { self[key] as? String ?? "" }
}
