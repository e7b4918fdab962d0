import Foundation
import PamtokenCLI
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Against a live pamtokend: many 'pamtoken token' processes at once")
struct LiveConcurrencyTests {
    @Test("8 concurrent processes with an almost-expired cache: one refresh, all print the same valid token, the session survives")
    func eightProcesses() async throws {
        try await LiveDaemon.with { daemon async throws in
            #expect(await daemon.login().status == 0)
            let before = try #require(try daemon.storedSession())
            try daemon.updateStoredSession { $0.accessTokenExpiresAt = Int64(Date().timeIntervalSince1970) + 2 }

            // Make the race certain rather than likely: hold the session's lock ourselves until all 8
            // processes have read the stale cache and are queued on the lock, then let them go.
            let lock = try HeldLock(daemon.paths.lockFile)
            let outcomes = try await withThrowingTaskGroup(of: ChildProcess.Outcome.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await daemon.process(["token"]) }
                }
                let queued = try await lock.waitForWaiters(8)
                lock.release()
                #expect(queued, "8 processes should have queued on the lock")
                var outcomes: [ChildProcess.Outcome] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            // The daemon's own lines say why, should a refresh ever be refused here.
            let daemonErrors = daemon.log.split(separator: "\n").filter { !$0.contains("level=info") }.suffix(20).joined(separator: "\n")
            for outcome in outcomes {
                #expect(outcome.status == 0, "\(outcome)\n\(daemonErrors)")
                #expect(outcome.stderr.isEmpty, "\(outcome)")
            }
            let tokens = Set(outcomes.map { $0.stdout.trimmingCharacters(in: .newlines) })
            #expect(tokens.count == 1, "the first process refreshed; the others re-read the file after taking the lock and found its token")
            #expect(!tokens.contains(before.accessToken))
            for token in tokens {
                let verify = await daemon.cli(["verify", token])
                #expect(verify.status == 0, "\(verify)")
            }
            #expect(try await daemon.metric("pamtoken_refresh_rotations_total") == 1)
            #expect((try await daemon.metric("pamtoken_refresh_reuse_detections_total") ?? 0) == 0)

            // The session is still alive: its current refresh token works, and it is listed.
            let after = try #require(try daemon.storedSession())
            #expect(after.sessionID == before.sessionID)
            #expect(await daemon.cli(["token", "--min-valid", "100000"]).status == 0)
            let sessions = await daemon.cli(["sessions", "--format", "json"])
            #expect(sessions.status == 0, "\(sessions)")
            #expect(sessions.stdout.contains(after.sessionID))
        }
    }

    @Test("the built executable exits 3 when the daemon is unreachable and 1 when not logged in, with one line")
    func executableExitCodes() async throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-exe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let binary = ChildProcess.builtProduct("pamtoken")
        let unreachable = try await ChildProcess.run(
            binary, ["login", "--password-stdin", "--socket", runtime + "/none.sock"], environment: ["XDG_RUNTIME_DIR": runtime], stdin: "x\n")
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr == "pamtoken: cannot reach pamtokend at unix:\(runtime)/none.sock: No such file or directory\n")
        let notLoggedIn = try await ChildProcess.run(
            binary, ["token", "--socket", runtime + "/none.sock"], environment: ["XDG_RUNTIME_DIR": runtime])
        #expect(notLoggedIn.status == 1)
        #expect(notLoggedIn.stderr == "pamtoken: not logged in; run 'pamtoken login'\n")
        let usage = try await ChildProcess.run(binary, ["token", "--format", "yaml"], environment: ["XDG_RUNTIME_DIR": runtime])
        #expect(usage.status == 2)
    }
}

/// An exclusive `flock` held by the test on the CLI's lock file, and a way to see who waits for it.
private final class HeldLock: Sendable {
    private let fd: Int32
    private let inode: UInt64

    init(_ path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX) == 0,
            let number = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber
        else { throw LiveDaemonError("cannot lock \(path)") }
        inode = number.uint64Value
    }

    func release() {
        close(fd)
    }

    /// Waits (up to 10 s) until `count` processes are blocked on this lock. The kernel lists blocked
    /// `flock` requests in /proc/locks as `-> FLOCK … <dev>:<inode> …`; no event announces them, so
    /// this re-reads that list every few milliseconds.
    func waitForWaiters(_ count: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
            let waiting = locks.split(separator: "\n").filter { $0.contains("->") && $0.contains(":\(inode) ") }.count
            if waiting >= count { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
