/// Starts of processes that preload pam_wrapper, one at a time.
///
/// pam_wrapper 1.1.4 gives each process a configuration directory `/tmp/pam.X`, X one of 36
/// characters, and removes another process's directory it takes for stale. Two processes starting at
/// the same moment can pick the same one; when the short-lived one exits it deletes the directory
/// under the long-lived one, whose every PAM call then fails (seen once in CI: a live daemon answering
/// 503 to every refresh). The tests run in one process, so one lock here orders every such start.
public actor PAMWrapperStarts {
    public static let shared = PAMWrapperStarts()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `start` (spawn the process and wait until pam_wrapper has set itself up) alone.
    public func serialized<T: Sendable>(_ start: @Sendable () async throws -> T) async rethrows -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await start()
    }
}
