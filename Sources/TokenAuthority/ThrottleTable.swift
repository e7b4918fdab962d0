import DequeModule
import Foundation

/// The counters behind ``LoginThrottle``: failures, attempts in flight and back-off per key, in a table
/// of bounded size whose every operation does a bounded amount of work.
///
/// Bounded because the keys come from the network (any user name, any peer): without a cap a flood of
/// distinct names grows the table without end. Keys are remembered in creation order; when the table is
/// full, the oldest entry that is neither blocking nor in flight is dropped. Losing the count of such an
/// entry gives its key at most a few free attempts again, while a key that is blocked — the attacker's
/// peer, the user under attack — keeps its back-off. Only if every one of the next ``maxRequeues``
/// oldest entries is blocking is the oldest of them dropped, so the cap holds whatever arrives.
struct ThrottleTable {
    struct Entry {
        var failures = 0
        var inFlight = 0
        var windowStart: Date
        var blockedUntil = Date.distantPast
        /// Tells this entry's record in the creation-order queue from records of removed predecessors.
        var generation: UInt64

        func isBlocking(at now: Date) -> Bool { blockedUntil > now }
    }

    /// Entries kept at most.
    let capacity: Int
    /// How many live entries one insertion may move to the back of the queue before it drops one anyway.
    static let maxRequeues = 16

    private var entries: [String: Entry] = [:]
    private var order = Deque<(key: String, generation: UInt64)>()
    private var nextGeneration: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { entries.count }

    subscript(key: String) -> Entry? { entries[key] }

    /// Updates the entry of `key`, creating it (and making room for it) if it does not exist.
    mutating func update<T>(_ key: String, now: Date, _ body: (inout Entry) -> T) -> T {
        if entries[key] == nil {
            if entries.count >= capacity { evictOne(now: now) }
            nextGeneration &+= 1
            entries[key] = Entry(windowStart: now, generation: nextGeneration)
            order.append((key, nextGeneration))
            compactIfStale()
        }
        return body(&entries[key]!)
    }

    /// Forgets `key`. Its record in the queue becomes stale: skipped when it reaches the front, and
    /// dropped when the queue is rebuilt.
    mutating func remove(_ key: String) {
        entries.removeValue(forKey: key)
    }

    /// Records in the queue, stale ones included (for tests of the bound).
    var queueLength: Int { order.count }

    /// Rebuilds the queue from live records once stale ones outnumber them: without it, keys created
    /// and removed again (every successful login) would leave a record each until the table next filled.
    /// Each rebuild costs the queue's length and happens only after as many insertions: O(1) amortised.
    private mutating func compactIfStale() {
        guard order.count > max(2 * entries.count, 1024) else { return }
        order = Deque(order.filter { entries[$0.key]?.generation == $0.generation })
    }

    /// Drops one entry: the oldest that is neither blocking nor in flight, else the oldest not in flight.
    /// Stale records cost one pop each, once in their life; live ones are re-queued at most `maxRequeues` times.
    private mutating func evictOne(now: Date) {
        var requeued = 0
        var fallback: (key: String, generation: UInt64)?
        while let record = order.popFirst() {
            guard let entry = entries[record.key], entry.generation == record.generation else { continue }
            if entry.inFlight == 0 && !entry.isBlocking(at: now) {
                entries.removeValue(forKey: record.key)
                if let fallback { order.append(fallback) }
                return
            }
            if fallback == nil && entry.inFlight == 0 {
                fallback = record
            } else {
                order.append(record)
            }
            requeued += 1
            if requeued >= Self.maxRequeues, let victim = fallback {
                entries.removeValue(forKey: victim.key)
                return
            }
            if requeued >= 4 * Self.maxRequeues { break }
        }
        if let fallback { order.append(fallback) }
    }
}
