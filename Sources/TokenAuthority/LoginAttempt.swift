import Synchronization

/// A login that ``LoginThrottle`` let through to PAM, counted as in flight until it is settled.
///
/// Settle it exactly once: ``succeeded(as:)`` or ``failed(as:)`` when PAM has answered, ``abandon()``
/// when PAM was never asked (its threads were saturated). One dropped unsettled — a cancelled task,
/// a path that forgot — counts as a failure when it is released, so that no path can turn a guess into
/// a free one.
public final class LoginAttempt: Sendable {
    enum Outcome: Sendable, Equatable {
        case succeeded, failed, abandoned
    }

    private let throttle: LoginThrottle
    private let keys: [String]
    private let settled = Atomic<Bool>(false)

    init(throttle: LoginThrottle, keys: [String]) {
        self.throttle = throttle
        self.keys = keys
    }

    deinit {
        if !settled.load(ordering: .acquiring) {
            throttle.settle(reserved: keys, outcome: .failed, learned: [])
        }
    }

    /// PAM accepted the user: the user's failures are forgiven, under every spelling in `names` too.
    public func succeeded(as names: [String] = []) {
        settle(.succeeded, learned: names)
    }

    /// PAM refused: one failure for the user (and each spelling in `names`, e.g. `PAM_USER`) and the peer.
    public func failed(as names: [String] = []) {
        settle(.failed, learned: names)
    }

    /// PAM was not asked: the reservation is released and nothing is counted.
    public func abandon() {
        settle(.abandoned, learned: [])
    }

    private func settle(_ outcome: Outcome, learned: [String]) {
        guard settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        throttle.settle(reserved: keys, outcome: outcome, learned: learned)
    }
}
