import AsyncHTTPClient
import Foundation
import GRDB
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` at random moments while a client refreshes in a loop (docs/api.md#refresh-token-grant:
/// "an acknowledged rotation is durable").
@Suite("Crashes: kill -9 during refreshes", .serialized)
struct CrashTests {
    @Test("20 kills: the database stays intact, the last token acknowledged with 200 works, and its parent does not")
    func killNine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pam = try PAMWrapperServices(directory: directory, user: "root", password: "crash-test-secret")
        let socket = directory + "/run/pamtoken.sock"
        let url = "http+unix://" + socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "/token"
        let chain = TokenChain()
        var kills = 0
        var daemonOutput = ""

        for round in 0..<21 {
            let notify = NotifySocket(path: directory + "/notify-\(round).sock")
            // A grace window lets the client retry a refresh whose answer the kill swallowed.
            let daemon = try DaemonProcess(
                arguments: [
                    "--config", pam.config, "--state-dir", directory + "/state", "--listen", "unix:" + socket, "--reuse-grace", "60",
                ],
                environment: pam.environment.merging(["NOTIFY_SOCKET": notify.path]) { $1 })
            // pam_wrapper sets itself up as the daemon starts: one such start at a time (PAMWrapperStarts).
            let (exit, ready) = try await PAMWrapperStarts.shared.serialized {
                let exit = try daemon.start()
                return (exit, await notify.next()?.contains("READY=1") == true)
            }
            try #require(ready, "round \(round): the daemon did not start: \(daemon.log)")

            if round > 0 {
                let integrity = try DatabaseQueue(path: directory + "/state/pamtoken.sqlite", configuration: Self.readOnly)
                #expect(try await integrity.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
                let (current, parent) = chain.state.withLock { $0 }
                let survivor = try await LiveClient.send(url, method: .POST, form: ["grant_type": "refresh_token", "refresh_token": current])
                #expect(survivor.status == 200, "round \(round): the last acknowledged token was lost: \(survivor.body)")
                if let parent {
                    let stale = try await LiveClient.send(url, method: .POST, form: ["grant_type": "refresh_token", "refresh_token": parent])
                    #expect(stale.status == 400, "round \(round): a used parent was accepted")
                }
            }
            if round == 20 {
                daemon.signal(SIGTERM)
                #expect(await exit.value == 0)
                daemonOutput += daemon.log
                break
            }
            // A fresh session for this round (the parent check above revoked the previous family).
            let login = try await LiveClient.send(
                url, method: .POST, form: ["grant_type": "password", "username": "root", "password": "crash-test-secret"])
            try #require(login.status == 200, "login failed: \(login.body)")
            chain.state.withLock { $0 = (login.object["refresh_token"] as? String ?? "", nil) }

            let (progress, rotated) = AsyncStream<Void>.makeStream()
            let loop = Task {
                defer { rotated.finish() }  // a loop that stops early ends the wait below
                while !Task.isCancelled {
                    let current = chain.state.withLock { $0.current }
                    guard
                        let reply = try? await LiveClient.send(url, method: .POST, form: ["grant_type": "refresh_token", "refresh_token": current]),
                        reply.status == 200, let next = reply.object["refresh_token"] as? String
                    else { return }
                    chain.state.withLock { $0 = (next, current) }
                    chain.issued.withLock { $0.append(next) }
                    chain.rotations.add(1, ordering: .relaxed)
                    rotated.yield()
                }
            }
            // Let the chain grow by three acknowledged rotations, then kill at a random point of the loop
            // (this last wait is the randomness, not a poll).
            var seen = 0
            for await _ in progress {
                seen += 1
                if seen == 3 { break }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
            daemon.signal(SIGKILL)
            #expect(await exit.value == SIGKILL || daemon.process.terminationReason == .uncaughtSignal)
            loop.cancel()
            _ = await loop.value
            daemonOutput += daemon.log
            kills += 1
        }
        #expect(kills == 20)
        // Each round refreshed many times before its kill, so the kills landed mid-rotation.
        #expect(chain.rotations.load(ordering: .relaxed) >= 60)

        // Secrets: no refresh token or password in the database files or the daemon's output.
        var stored = Data()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/state")) ?? [] {
            stored += FileManager.default.contents(atPath: directory + "/state/" + name) ?? Data()
        }
        #expect(stored.count > 10_000)
        #expect(daemonOutput.contains("login"))
        let secrets = chain.issued.withLock { $0 } + ["crash-test-secret"]
        #expect(secrets.count > 60)
        for secret in secrets {
            #expect(stored.range(of: Data(secret.utf8)) == nil, "a secret is stored in clear")
            #expect(!daemonOutput.contains(secret), "a secret was logged")
        }
    }

    static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }
}

/// A pam_wrapper service directory for a real system user with a pam_matrix password, and the
/// environment that makes a child process use it.
struct PAMWrapperServices {
    let config: String
    let environment: [String: String]

    init(directory: String, user: String, password: String) throws {
        let services = directory + "/pam.d"
        try FileManager.default.createDirectory(atPath: services, withIntermediateDirectories: true)
        try "\(user):\(password):pamtoken\n".write(toFile: directory + "/passdb", atomically: true, encoding: .utf8)
        let matrix = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=\(directory)/passdb"
        try "auth required \(matrix)\naccount required \(matrix)\n".write(toFile: services + "/pamtoken", atomically: true, encoding: .utf8)
        try "auth required pam_deny.so\naccount required pam_deny.so\n".write(toFile: services + "/other", atomically: true, encoding: .utf8)
        // The tests log in as root (who exists everywhere), a system account the daemon refuses by default.
        config = directory + "/pamtoken.toml"
        try "allow_system_users = true\n".write(toFile: config, atomically: true, encoding: .utf8)
        environment = [
            "LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so", "PAM_WRAPPER": "1", "PAM_WRAPPER_SERVICE_DIR": services,
        ]
    }
}

/// The client's view of its refresh-token chain, shared with the refresh loop.
final class TokenChain: Sendable {
    let state = Mutex<(current: String, parent: String?)>(("", nil))
    let rotations = Atomic(0)
    let issued = Mutex<[String]>([])
}
