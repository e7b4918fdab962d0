import ArgumentParser
import Foundation
import LinuxPAM
import Synchronization
import TokenCore
import TokenStore

/// The ceilings, measured in process without HTTP:
/// (a) `sign` — one access token; (b) `rotate` — the rotation transaction alone, durable;
/// (c) `refresh-core` — sign + rotation + `pam_acct_mgmt`, what a refresh costs without HTTP;
/// (d) `pam-unix` — `pam_authenticate` + `pam_acct_mgmt` with pam_unix, on N threads;
/// and `verify` (one access token, the work of introspection and userinfo) and `login-core`
/// (PAM login + sign + new session, what a password grant costs without HTTP).
struct LimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "limits", abstract: "In-process ceilings, one JSON line each.")

    @Option(help: "Which limits: sign, verify, rotate, refresh-core, login-core, pam-unix.")
    var only: [String] = ["sign", "verify", "rotate", "refresh-core", "login-core"]
    @Option(help: "Seconds per limit.") var duration = 2.0
    @Option(help: "Concurrent tasks (or PAM threads); 64 matches the routes' highest concurrency, where group commit batches most.")
    var tasks = [1, 2, 8, 64]
    @Option(help: "A scratch directory for keys and the database.") var stateDir: String
    @Option(help: "PAM service (pam_matrix under pam_wrapper, or pam_unix).") var pamService = "pamtoken"
    @Option var user: String
    @Option var password: String

    func run() async throws {
        let clock = SystemClock()
        let policy = TokenPolicy(issuer: "https://pamtoken.bench")
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let keyRing = try await KeyRing.open(directory: stateDir + "/keys", algorithm: .es256, clock: clock)
        let issuer = TokenIssuer(policy: policy, keyRing: keyRing, clock: clock)
        let verifier = TokenVerifier(policy: policy, keyRing: keyRing, clock: clock)
        let store = try SessionStore.open(path: stateDir + "/bench.sqlite3", durability: .full, clock: clock)
        let identity = UserIdentity(user: user, uid: getuid(), gid: getgid(), groups: [user], name: nil)
        let context = SessionContext(sessionID: "bench", authTime: Date(), authMethod: .password, clientID: "bench", scope: nil)
        let sample = try await issuer.issue(for: identity, in: context).token
        let newSession = NewSession(user: user, uid: getuid(), authMethod: .password, clientID: "bench", maxAge: 86400, refreshTTL: 3600)

        for name in only {
            for taskCount in tasks {
                let loop = LimitLoop(name: name, tasks: taskCount, duration: duration)
                let report: LimitReport
                switch name {
                case "sign":
                    report = try await loop.run { _ in _ = try await issuer.issue(for: identity, in: context) }
                case "verify":
                    report = try await loop.run { _ in _ = try await verifier.verify(sample) }
                case "rotate", "refresh-core":
                    let chains = try await Chains(store: store, count: taskCount, template: newSession)
                    let pam = name == "refresh-core" ? PAMAuthenticator(service: pamService, threads: taskCount) : nil
                    report = try await loop.run { task in
                        if let pam { _ = try await pam.checkAccount(user: user) }
                        try await chains.rotate(task)
                        if pam != nil { _ = try await issuer.issue(for: identity, in: context) }
                    }
                    await pam?.shutdown()
                case "login-core", "pam-unix":
                    let pam = PAMAuthenticator(service: pamService, threads: taskCount)
                    let full = name == "login-core"
                    report = try await loop.run { _ in
                        _ = try await pam.authenticate(user: user, password: password)
                        if full {
                            _ = try await store.createSession(newSession, token: RefreshToken.generate())
                            _ = try await issuer.issue(for: identity, in: context)
                        }
                    }
                    await pam.shutdown()
                default:
                    throw ValidationError("unknown limit \(name)")
                }
                try BenchOutput.print(report)
            }
        }
        try store.close()
    }
}

/// One refresh-token chain per task, so concurrent rotations never contend for the same token.
final class Chains: Sendable {
    private let store: SessionStore
    private let current: Mutex<[RefreshToken]>

    init(store: SessionStore, count: Int, template: NewSession) async throws {
        self.store = store
        var tokens: [RefreshToken] = []
        for _ in 0..<count {
            let token = RefreshToken.generate()
            _ = try await store.createSession(template, token: token)
            tokens.append(token)
        }
        current = Mutex(tokens)
    }

    func rotate(_ chain: Int) async throws {
        let presented = current.withLock { $0[chain] }
        let next = RefreshToken.generate()
        guard case .rotated = try await store.rotate(presented, to: next, refreshTTL: 3600, reuseGrace: 0) else {
            throw ValidationError("rotation refused")
        }
        current.withLock { $0[chain] = next }
    }
}
