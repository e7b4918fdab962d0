import Foundation
import LinuxPAM
import Testing

/// PAM's worker threads yield the CPU to the rest of the daemon (docs/BENCHMARKS.md, isolation).
@Suite("PAM worker priority")
struct PAMPriorityTests {
    /// The nice value of every thread of this process, from /proc/self/task/*/stat (field 19).
    static func threadNiceValues() throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm)": field 3 (state) is index 0, so field 19 (nice) is index 16.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 16 ? Int32(fields[16]) : nil
        }
    }

    @Test("threads that ran an account check and a login have their nice values; the test's own threads keep 0")
    func workerThreadsAreNiced() async throws {
        // No pam_wrapper here: the unknown service falls back to /etc/pam.d/other, which answers
        // something; only the threads that ran the transactions matter.
        let pam = PAMAuthenticator(service: "pamtoken-priority-test", threads: 1, loginThreads: 1)
        _ = try? await pam.checkAccount(user: "nobody")
        _ = try? await pam.authenticate(user: "nobody", password: "wrong")
        let values = try Self.threadNiceValues()
        await pam.shutdown()
        #expect(values.contains(PAMAuthenticator.workerNiceValue), "thread nice values: \(values)")
        #expect(values.contains(PAMAuthenticator.loginNiceValue), "thread nice values: \(values)")
        #expect(PAMAuthenticator.loginNiceValue > PAMAuthenticator.workerNiceValue)
        #expect(values.contains(0))
    }
}
