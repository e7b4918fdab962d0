import Foundation
import LinuxPAM
import Synchronization
import TokenCore

/// The PAM conversations of the daemon: those waiting for a person's answer, by the SHA-256 of their
/// current handle, and how many are open per peer.
///
/// Kept in memory only: a conversation is a PAM transaction blocked on one of the daemon's threads, so
/// it cannot outlive the process anyway. Each open conversation holds a thread of the conversation
/// pool (``limit`` of them), so their number is bounded in all and per peer: one peer — a uid on the
/// socket, a network on TCP, as the throttle counts them (all of loopback is one) — may hold at most
/// ``limitPerPeer(_:)``. A handle is taken out when it is answered (single use), and an entry leaves
/// the table when its transaction ends, its attempt then counted.
final class ConversationTable: Sendable {
    /// One conversation between two steps.
    struct Entry: Sendable {
        let dialog: PAMDialog
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
        var open: [String: Int] = [:]
        var openTotal = 0
        var closed = false
    }

    /// Conversations that may be open at once: the conversation pool's threads.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// How many conversations one peer may have open: 2 for a uid on the Unix socket (one person); on
    /// TCP, half the limit, since a network — loopback, a reverse proxy — may be many people's.
    func limitPerPeer(_ peer: String) -> Int {
        peer.hasPrefix("uid:") ? min(2, limit) : max(1, limit / 2)
    }

    /// Counts a new conversation of `peer` (its throttle key), if the limits allow; undone by ``leave(_:)``.
    func enter(_ peer: String) -> Bool {
        state.withLock { state in
            guard !state.closed, state.openTotal < limit, state.open[peer, default: 0] < limitPerPeer(peer) else { return false }
            state.openTotal += 1
            state.open[peer, default: 0] += 1
            return true
        }
    }

    /// A conversation of `peer` has ended on its PAM thread: its place is free, and any entry left for
    /// it is dropped, which settles its attempt (an unanswered conversation counts as a failure).
    func leave(_ peer: String) {
        let ended = state.withLock { state -> [Entry] in
            state.openTotal -= 1
            let left = state.open[peer, default: 1] - 1
            state.open[peer] = left > 0 ? left : nil
            let gone = state.entries.filter { $0.value.dialog.isClosed }
            for key in gone.keys { state.entries[key] = nil }
            return Array(gone.values)
        }
        _ = ended  // released here, outside the lock: their attempts settle as they go
    }

    /// Files a conversation under a fresh handle, which is returned.
    func insert(_ entry: Entry) -> ConversationHandle {
        let handle = ConversationHandle.generate()
        let refused = state.withLock { state -> Bool in
            guard !state.closed else { return true }
            state.entries[handle.hash] = entry
            return false
        }
        if refused { entry.dialog.cancel() }
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

    /// Conversations open now: their transactions have not ended.
    var openCount: Int { state.withLock { $0.openTotal } }

    /// Conversations filed now, waiting for an answer (for tests).
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

/// The place one conversation holds in the table from its start until its PAM transaction ends.
final class ConversationSlot: Sendable {
    private let table: ConversationTable
    private let peer: String

    init(table: ConversationTable, peer: String) {
        self.table = table
        self.peer = peer
    }

    /// Called on the PAM thread when the transaction has ended.
    func end() {
        table.leave(peer)
    }
}
