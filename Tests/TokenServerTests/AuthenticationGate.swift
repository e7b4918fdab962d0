import Synchronization

/// Holds fake PAM calls until the test opens it, announcing each arrival, so that a test can have many
/// logins inside PAM at once — and know when they are — without sleeping.
final class AuthenticationGate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
    private let arrivalsSink: AsyncStream<Void>.Continuation
    /// One element per call that reached the gate.
    let arrivals: AsyncStream<Void>

    init() {
        (arrivals, arrivalsSink) = AsyncStream<Void>.makeStream()
    }

    /// Announces the caller and waits until the gate is open.
    func pass() async {
        arrivalsSink.yield()
        await withCheckedContinuation { continuation in
            let goOn = state.withLock { state in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if goOn { continuation.resume() }
        }
    }

    /// Lets every waiting and future caller through.
    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
