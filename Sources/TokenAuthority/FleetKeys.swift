public import Foundation
public import Logging
public import TokenCore
public import TokenStore

/// This host's part in the fleet's key sharing (docs/fleet.md, "Keys"): its public keys kept published
/// in the shared directory, the other hosts' keys kept trusted by the key ring.
///
/// Trust is bounded in time rather than announced: an active key is published as trusted for a
/// ``heartbeat`` and republished every ``interval`` while its host lives, so a host that disappears
/// stops being trusted once the last token it could have signed has expired — without anybody
/// removing it. A retired key is published until the end of the last token it signed.
public actor FleetKeys {
    /// Named in the rows this host publishes, for operators (`hostname`).
    public nonisolated let host: String
    /// How often ``synchronize()`` runs (the daemon's key service).
    public nonisolated let interval: TimeInterval
    /// How long a published active key is trusted without being renewed: two missed publications, then
    /// as long as a token signed at the last moment stays valid (``TokenPolicy/keyRetention``).
    public nonisolated let heartbeat: TimeInterval
    let retention: TimeInterval
    let directory: any PublicKeyDirectory
    let keyRing: KeyRing
    let clock: any WallClock
    let logger: Logger
    /// When the directory was last read because of an unknown `kid`; at most once a second.
    private var lastLookup: Date?
    private var lookup: Task<Bool, Never>?
    /// The rejected rows already logged, so that a bad row is reported once, not every interval.
    private var reported: Set<String> = []

    public init(
        directory: any PublicKeyDirectory, keyRing: KeyRing, host: String, interval: TimeInterval = 30, policy: TokenPolicy,
        clock: any WallClock, logger: Logger
    ) {
        self.directory = directory
        self.keyRing = keyRing
        self.host = host
        self.interval = interval
        self.retention = policy.keyRetention
        self.heartbeat = 2 * interval + policy.keyRetention
        self.clock = clock
        self.logger = logger
    }

    /// Publishes this host's keys (renewing the active ones), then trusts exactly the other hosts'
    /// keys that are live. Throws when the directory cannot be reached; the trusted keys stay as they were.
    public func synchronize() async throws {
        let own = try await keyRing.publications(host: host, heartbeat: heartbeat, retention: retention)
        try await directory.publish(own, now: clock.now)
        _ = try await adoptPublished()
    }

    /// Publishes keys that are about to sign, before they do (``KeyRing/rotate(announce:)``).
    public func announce(_ keys: [SigningKey]) async throws {
        let now = clock.now
        try await directory.publish(keys.compactMap { try $0.published(host: host, notAfter: now.addingTimeInterval(heartbeat)) }, now: now)
    }

    /// Reads the directory again because a token named a `kid` nobody here knows: another host may have
    /// just rotated. At most once a second, however many such tokens arrive (any token can name any
    /// `kid`); concurrent callers share one read. True when the trusted keys changed.
    public func refreshAfterUnknownKey() async -> Bool {
        if let lookup { return await lookup.value }
        let now = clock.now
        if let lastLookup, now.timeIntervalSince(lastLookup) < 1, now >= lastLookup { return false }
        lastLookup = now
        let task = Task { await self.readAfterUnknownKey() }
        lookup = task
        let changed = await task.value
        lookup = nil
        // A second from the end of this read, not its start: a slow read (PostgreSQL away, 3 s) is not
        // followed by another at once.
        lastLookup = clock.now
        return changed
    }

    private func readAfterUnknownKey() async -> Bool {
        do {
            return try await adoptPublished()
        } catch {
            logger.warning("reading the fleet's public keys failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Trusts the live published keys; true when that changed the set.
    private func adoptPublished() async throws -> Bool {
        let before = keyRing.current.peers.map(\.kid)
        let now = clock.now
        // No row is trusted for longer than a heartbeat from now, whatever the clock that wrote it said:
        // a host whose clock runs ahead cannot keep its keys trusted after it is gone.
        let latest = now.addingTimeInterval(heartbeat)
        let rows = try await directory.publishedKeys(at: now).map { row in
            PublishedKey(kid: row.kid, algorithm: row.algorithm, jwk: row.jwk, host: row.host, notAfter: min(row.notAfter, latest))
        }
        let rejected = try await keyRing.adopt(rows)
        if reported.count > 1024 { reported.removeAll() }
        for rejection in rejected where reported.insert(rejection.kid).inserted {
            logger.error("a published key is not trusted", metadata: ["reason": "\(rejection)"])
        }
        let after = keyRing.current.peers.map(\.kid)
        if before != after {
            logger.info("fleet keys", metadata: ["trusted": "\(after)", "host": "\(host)"])
        }
        return before != after
    }
}
