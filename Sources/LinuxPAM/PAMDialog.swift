import Dispatch
import Synchronization

/// A PAM conversation carried to a person: the PAM thread hands each prompt over and waits, with a
/// deadline, for the answer that an HTTP request brings later.
///
/// PAM's conversation callback is synchronous and runs inside the module, on one of
/// ``PAMAuthenticator``'s threads; the person answers over HTTP, one request per prompt. This type is
/// the rendezvous between the two. The PAM side (``ask(_:)``, ``end(_:)``) blocks its thread; the
/// person's side (``next()``, ``answer(_:)``, ``cancel()``) never blocks. A batch of several prompts in
/// one PAM call is presented one prompt at a time and handed back to PAM as one batch.
///
/// A PAM thread waits at most ``timeout`` for the answers to one batch. Then the module gets
/// `PAM_CONV_ERR`, the transaction ends as a failure and the thread goes back to the pool: a person who
/// walks away holds nothing past the deadline.
public final class PAMDialog: Sendable {
    /// What the person's side is told next.
    public enum Event: Sendable, Equatable {
        /// A prompt to answer, with the information and error messages modules sent before it.
        case prompt(PAMMessage, notes: [PAMMessage])
        /// The transaction is over; its messages are in the report or the error.
        case finished(Result<PAMReport, PAMError>)
    }

    /// How long the PAM thread waits for the answers to one batch of prompts.
    public let timeout: Duration
    private let onEnd: @Sendable () -> Void
    private let state = Mutex(State())

    private struct Batch {
        /// The prompts of the PAM call, each with the notes that preceded it.
        var prompts: [(prompt: PAMMessage, notes: [PAMMessage])]
        var answers: [String] = []
        let signal = DispatchSemaphore(value: 0)
    }

    private struct State {
        var events: [Event] = []
        var waiter: CheckedContinuation<Event, Never>?
        var batch: Batch?
        /// Notes sent in calls without prompts, shown with the next prompt.
        var notes: [PAMMessage] = []
        /// When the PAM thread stops waiting for the batch asked now.
        var deadline: ContinuousClock.Instant?
        /// Set by ``cancel()`` or a missed deadline: every later prompt is refused at once.
        var closed = false
        var ended = false

        /// Queues `event`, or returns the waiting continuation to resume with it (outside the lock).
        mutating func deliver(_ event: Event) -> CheckedContinuation<Event, Never>? {
            if let waiter {
                self.waiter = nil
                return waiter
            }
            events.append(event)
            return nil
        }
    }

    /// - Parameters:
    ///   - timeout: the deadline for each batch of answers.
    ///   - onEnd: called once on the PAM thread after ``end(_:)``, e.g. to release an admission slot.
    public init(timeout: Duration, onEnd: @escaping @Sendable () -> Void = {}) {
        self.timeout = timeout
        self.onEnd = onEnd
    }

    // MARK: The PAM thread's side

    /// Hands `messages` (one PAM conversation call) to the person and blocks until every prompt among
    /// them has its answer. Returns one entry per message (nil for notes), or nil when the dialog was
    /// cancelled or the deadline passed: the conversation then answers `PAM_CONV_ERR`.
    public func ask(_ messages: [PAMMessage]) -> [String?]? {
        var prompts: [(prompt: PAMMessage, notes: [PAMMessage])] = []
        var pending: [PAMMessage] = []
        for message in messages {
            if message.isPrompt {
                prompts.append((message, pending))
                pending = []
            } else {
                pending.append(message)
            }
        }
        let started = state.withLock { state -> (Batch, CheckedContinuation<Event, Never>?, Event?)? in
            guard !state.closed else { return nil }
            guard !prompts.isEmpty else {
                state.notes += pending
                return (Batch(prompts: []), nil, nil)
            }
            prompts[0].notes = state.notes + prompts[0].notes
            state.notes = pending
            let batch = Batch(prompts: prompts)
            state.batch = batch
            state.deadline = .now + timeout
            let event = Event.prompt(prompts[0].prompt, notes: prompts[0].notes)
            return (batch, state.deliver(event), event)
        }
        guard let (batch, waiter, event) = started else { return nil }
        if batch.prompts.isEmpty { return messages.map { _ in nil } }
        if let waiter, let event { waiter.resume(returning: event) }
        let nanoseconds = UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
        _ = batch.signal.wait(timeout: .now() + .nanoseconds(Int(min(nanoseconds, UInt64(Int.max)))))
        let answers: [String]? = state.withLock { state in
            defer { state.batch = nil }
            guard let answers = state.batch?.answers, answers.count == prompts.count, !state.closed else {
                // The deadline passed (or the person's side gave up): nothing more will be asked.
                state.closed = true
                return nil
            }
            return answers
        }
        guard var remaining = answers?[...] else { return nil }
        return messages.map { message in message.isPrompt ? remaining.popFirst() : nil }
    }

    /// Reports the end of the transaction to the person's side, then calls `onEnd`.
    public func end(_ result: Result<PAMReport, PAMError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Event, Never>? in
            guard !state.ended else { return nil }
            state.ended = true
            state.closed = true
            return state.deliver(.finished(result))
        }
        waiter?.resume(returning: .finished(result))
        onEnd()
    }

    // MARK: The person's side

    /// The next prompt, or the end. Waits while PAM works on the last answer. One caller at a time.
    public func next() async -> Event {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Event? in
                guard state.events.isEmpty else { return state.events.removeFirst() }
                precondition(state.waiter == nil, "PAMDialog.next() called while another call waits")
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Answers the prompt last returned by ``next()``. False when no prompt is waiting (the deadline
    /// passed, or the dialog ended or was cancelled).
    @discardableResult
    public func answer(_ text: String) -> Bool {
        let outcome = state.withLock { state -> (Bool, DispatchSemaphore?, CheckedContinuation<Event, Never>?, Event?) in
            guard !state.closed, var batch = state.batch, batch.answers.count < batch.prompts.count else { return (false, nil, nil, nil) }
            batch.answers.append(text)
            state.batch = batch
            if batch.answers.count == batch.prompts.count { return (true, batch.signal, nil, nil) }
            let next = batch.prompts[batch.answers.count]
            let event = Event.prompt(next.prompt, notes: next.notes)
            return (true, nil, state.deliver(event), event)
        }
        outcome.1?.signal()
        if let waiter = outcome.2, let event = outcome.3 { waiter.resume(returning: event) }
        return outcome.0
    }

    /// Ends the conversation from the person's side: a waiting prompt is refused at once, and so is any
    /// later one. The transaction then ends (as a failure) on its PAM thread.
    public func cancel() {
        let signal = state.withLock { state -> DispatchSemaphore? in
            state.closed = true
            return state.batch?.signal
        }
        signal?.signal()
    }

    /// When the PAM thread stops waiting for the prompts asked now (nil while none is asked).
    public var deadline: ContinuousClock.Instant? { state.withLock { $0.batch == nil ? nil : $0.deadline } }

    /// What modules said after the last prompt, which no prompt has carried to the person yet: to
    /// show with the outcome.
    public var undeliveredNotes: [PAMMessage] { state.withLock { $0.notes } }

    /// Whether the dialog stopped accepting answers: its deadline passed or it was cancelled or ended.
    public var isClosed: Bool { state.withLock { $0.closed } }
}
