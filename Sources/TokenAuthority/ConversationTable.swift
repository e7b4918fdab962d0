import Foundation
import LinuxPAM
import Synchronization
import TokenCore

/// The PAM conversations waiting for a person's answer, by the SHA-256 of their current handle.
///
/// Kept in memory only: a conversation is a PAM transaction blocked on one of the daemon's threads, so
/// it cannot outlive the process anyway. Each conversation waiting for a person holds a PAM thread,
/// which refreshes need too, so their number is bounded: at most ``limit`` in all (half the PAM
/// threads) and ``limitPerOwner`` per peer or browser. A handle is taken out when it is answered —
/// single use — and expires with its PAM thread's deadline.
final class ConversationTable: Sendable {
    /// One conversation between two steps.
    struct Entry: Sendable {
        let dialog: PAMDialog
        let slot: ConversationSlot
        let attempt: LoginAttempt
        /// The user name as typed, for the throttle and logs.
        let user: String
        let resolved: UserIdentity?
        let owner: ConversationOwner
        let purpose: ConversationPurpose
        let expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Data: Entry] = [:]
        var waiting: [ConversationOwner: Int] = [:]
        var waitingTotal = 0
        var closed = false
    }

    /// Conversations that may wait for a person at once, and how many of them one owner may have.
    let limit: Int
    let limitPerOwner = 2
    private let state = Mutex(State())

    init(pamThreads: Int) {
        limit = max(1, pamThreads / 2)
    }

    /// Counts a conversation as waiting for a person, if the limits allow; undone by ``leave(_:)``.
    func enter(_ owner: ConversationOwner) -> Bool {
        state.withLock { state in
            guard state.waitingTotal < limit, state.waiting[owner, default: 0] < limitPerOwner else { return false }
            state.waitingTotal += 1
            state.waiting[owner, default: 0] += 1
            return true
        }
    }

    /// The conversation of an owner has ended on its PAM thread.
    func leave(_ owner: ConversationOwner) {
        state.withLock { state in
            state.waitingTotal -= 1
            let left = state.waiting[owner, default: 1] - 1
            state.waiting[owner] = left > 0 ? left : nil
        }
    }

    /// Files a conversation under a fresh handle, which is returned. Expired entries are dropped first
    /// (their unsettled attempts count as failures).
    func insert(_ entry: Entry) -> ConversationHandle {
        let handle = ConversationHandle.generate()
        let expired = state.withLock { state -> [Entry] in
            guard !state.closed else { return [entry] }
            let now = ContinuousClock.now
            let gone = state.entries.filter { $0.value.expires <= now || $0.value.dialog.isClosed }
            for key in gone.keys { state.entries[key] = nil }
            state.entries[handle.hash] = entry
            return Array(gone.values)
        }
        for entry in expired { entry.dialog.cancel() }
        return handle
    }

    /// Takes the conversation a handle names out of the table, if `owner` started it and it has not
    /// expired. Another owner's try leaves it in place: a leaked handle cannot be spent by someone else.
    func take(_ handle: ConversationHandle, owner: ConversationOwner) -> Entry? {
        state.withLock { state -> Entry? in
            guard let entry = state.entries[handle.hash], entry.owner == owner else { return nil }
            state.entries[handle.hash] = nil
            return entry.expires > ContinuousClock.now ? entry : nil
        }
    }

    /// Ends every conversation waiting for a person, now and from now on: the daemon is stopping, and
    /// PAM's threads must not wait out their deadlines before it may exit.
    func closeAll() {
        let entries = state.withLock { state -> [Entry] in
            state.closed = true
            defer { state.entries = [:] }
            return Array(state.entries.values)
        }
        for entry in entries { entry.dialog.cancel() }
    }

    /// Conversations filed now (for tests and metrics).
    var count: Int { state.withLock { $0.entries.count } }
}

/// Who may answer a conversation: the peer that started it over the API, or the browser of the login page.
public enum ConversationOwner: Sendable, Hashable {
    /// `uid:N` on the Unix socket, `ip:ADDRESS` on TCP (the exact address, not the throttle's network).
    case peer(String)
    /// The login cookie's value.
    case browser(String)

    /// The owner for an API peer.
    static func of(_ peer: Peer) -> ConversationOwner {
        switch peer {
        case .unix(let uid, _, _): .peer("uid:\(uid)")
        case .tcp(let address): .peer("ip:\(address)")
        case .unknown: .peer("unknown")
        }
    }
}

/// What a conversation signs in for: tokens for a program, or a browser session and code for a client.
enum ConversationPurpose: Sendable {
    case token(clientID: String, scope: String?)
    case browser(AuthorizationRequest)
}

/// The resources one conversation holds until its PAM transaction ends: an admission place from the
/// start, and a place among the conversations waiting for a person from its first prompt.
final class ConversationSlot: Sendable {
    private let admission: PAMAdmission
    private let table: ConversationTable
    private let owner: ConversationOwner
    private let waiting = Atomic<Bool>(false)

    init(admission: PAMAdmission, table: ConversationTable, owner: ConversationOwner) {
        self.admission = admission
        self.table = table
        self.owner = owner
    }

    /// Counts the conversation as waiting for a person (once); false when the limits are reached.
    func waitForPerson() -> Bool {
        if waiting.load(ordering: .acquiring) { return true }
        guard table.enter(owner) else { return false }
        waiting.store(true, ordering: .releasing)
        return true
    }

    /// Called on the PAM thread when the transaction has ended.
    func end() {
        if waiting.exchange(false, ordering: .acquiringAndReleasing) { table.leave(owner) }
        admission.release()
    }
}
