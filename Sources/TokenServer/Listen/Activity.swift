import Synchronization

/// When the daemon last did something, for `--idle-exit`: requests in flight and the time the last
/// one ended, on the monotonic clock.
public final class Activity: Sendable {
    private struct State {
        var inFlight = 0
        var lastActivity = ContinuousClock.now
    }

    private let state = Mutex(State())

    public init() {}

    func begin() {
        state.withLock { $0.inFlight += 1 }
    }

    func end() {
        state.withLock {
            $0.inFlight -= 1
            $0.lastActivity = .now
        }
    }

    /// nil while requests run; otherwise when the daemon became idle.
    public var idleSince: ContinuousClock.Instant? {
        state.withLock { $0.inFlight > 0 ? nil : $0.lastActivity }
    }
}
