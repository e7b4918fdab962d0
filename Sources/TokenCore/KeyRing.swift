public import Foundation
import JWTKit
import Synchronization

/// The daemon's signing keys: loaded from (or generated into) `<state-dir>/keys/`, rotated on demand,
/// retired keys kept until every token they signed has expired, then pruned.
///
/// One active key per algorithm: the configured `signing_alg` signs access tokens (and is the only
/// one their verification accepts); further algorithms, which some OpenID clients require
/// (`id_token_alg`), sign only the ID tokens of those clients. The JWKS publishes them all.
///
/// Readers take an immutable ``KeySet`` snapshot without waiting (``current``); the rare writers
/// (rotation, pruning) are serialised by the actor and publish a new snapshot when done — a copy-on-write
/// design like jwt-kit's key collection, but with the JWKS bytes prepared once per change.
public actor KeyRing {
    public nonisolated let directory: String
    public nonisolated let algorithm: SigningAlgorithm
    /// Algorithms besides ``algorithm`` with an active key, for ID tokens only.
    public nonisolated let idTokenAlgorithms: [SigningAlgorithm]
    private let clock: any WallClock
    private let serializer: DefaultJWTSerializer
    private var active: SigningKey
    /// The active key of each of ``idTokenAlgorithms``.
    private var others: [SigningKey]
    private var retired: [SigningKey]
    /// The other hosts' public keys, in a fleet: set by ``adopt(_:)``.
    private var peers: [PublishedKey.Trusted] = []
    /// Counts changes, so that a snapshot built for an older state is never installed over a newer one.
    private var generation = 0
    private nonisolated let snapshot: Mutex<KeySet>

    /// The current keys. Never blocks on a rotation in progress.
    public nonisolated var current: KeySet { snapshot.withLock { $0 } }

    private init(
        directory: String, algorithm: SigningAlgorithm, clock: any WallClock, active: SigningKey, others: [SigningKey], retired: [SigningKey],
        set: KeySet
    ) {
        self.directory = directory
        self.algorithm = algorithm
        self.idTokenAlgorithms = others.map(\.algorithm)
        self.others = others
        self.clock = clock
        self.serializer = Self.makeSerializer()
        self.active = active
        self.retired = retired
        self.snapshot = Mutex(set)
    }

    /// Opens the key directory (created 0700 if missing), generating a first key of `algorithm` (and of
    /// each of `idTokenAlgorithms`) when there is no active one. Keys of an algorithm no longer
    /// configured are retired: no longer accepted, since verification takes the configured ones only.
    public static func open(
        directory: String, algorithm: SigningAlgorithm, idTokenAlgorithms: [SigningAlgorithm] = [], clock: any WallClock
    ) async throws -> KeyRing {
        try PrivateFiles.createDirectory(directory)
        let now = clock.nowInSeconds
        var keys = try loadKeys(from: directory)
        keys.sort { $0.createdAt > $1.createdAt }

        var actives: [SigningKey] = []
        for wanted in [algorithm] + idTokenAlgorithms where !actives.contains(where: { $0.algorithm == wanted }) {
            if let index = keys.firstIndex(where: { $0.retiredAt == nil && $0.algorithm == wanted }) {
                actives.append(keys.remove(at: index))
            } else {
                let key = try SigningKey.generate(wanted, at: now)
                try store(key, in: directory)
                actives.append(key)
            }
        }
        for index in keys.indices where keys[index].retiredAt == nil {
            keys[index].retiredAt = now
            try store(keys[index], in: directory)
        }
        let others = Array(actives.dropFirst())
        let set = try await KeySet(
            algorithm: algorithm, active: actives[0], others: others, retired: verifying(keys, actives), serializer: makeSerializer())
        // Every retired key stays listed, those of algorithms no longer configured too, so that pruning deletes them in time.
        return KeyRing(directory: directory, algorithm: algorithm, clock: clock, active: actives[0], others: others, retired: keys, set: set)
    }

    /// Makes a new key active at once, for every algorithm; the previous ones keep verifying until pruned.
    /// Returns the new access-token key.
    ///
    /// - Parameter announce: called with the new keys before any of them signs, and before they are
    ///   stored: in a fleet it publishes them, so that no other host ever sees a token signed by a key it
    ///   cannot know yet. When it throws, nothing changes.
    @discardableResult
    public func rotate(announce: (@Sendable ([SigningKey]) async throws -> Void)? = nil) async throws -> SigningKey {
        let now = clock.nowInSeconds
        let fresh = try ([active] + others).map { try SigningKey.generate($0.algorithm, at: now) }
        try await announce?(fresh)
        // Read after the announcement, which another rotation may have overtaken. Files first, memory
        // after: a write that fails leaves the ring as it was (and a new key file that did land is
        // sorted out by `open` at the next start, which keeps the newest active key of each algorithm).
        let retiring = ([active] + others).map { key in
            var old = key
            old.retiredAt = now
            return old
        }
        for key in fresh + retiring {
            try Self.store(key, in: directory)
        }
        retired.insert(contentsOf: retiring, at: 0)
        active = fresh[0]
        others = Array(fresh.dropFirst())
        try await publish()
        return active
    }

    /// Deletes keys retired more than `retention` ago (the longest access-token lifetime plus leeway):
    /// no valid token can name them any more. Returns the removed `kid`s.
    /// Other hosts' keys past their `notAfter` are dropped too, so a host that disappeared stops being
    /// trusted even while the fleet's database cannot be read.
    @discardableResult
    public func prune(retention: TimeInterval) async throws -> [String] {
        let now = clock.now
        let cutoff = now.addingTimeInterval(-retention)
        let expired = retired.filter { ($0.retiredAt ?? .distantFuture) <= cutoff }
        let lapsed = peers.filter { $0.notAfter <= now }.map(\.kid)
        if !lapsed.isEmpty {
            peers.removeAll { $0.notAfter <= now }
            if expired.isEmpty { try await publish() }
        }
        guard !expired.isEmpty else { return lapsed }
        for key in expired {
            try PrivateFiles.remove(Self.path(of: key.kid, in: directory))
        }
        let removed = Set(expired.map(\.kid))
        retired.removeAll { removed.contains($0.kid) }
        try await publish()
        return expired.map(\.kid) + lapsed
    }

    /// This host's public keys as the fleet should see them: the active ones trusted for `heartbeat`
    /// from now (renewed at every publication while the host lives), the retired ones until `retention`
    /// after their retirement. HMAC keys have no public half and are left out.
    public func publications(host: String, heartbeat: TimeInterval, retention: TimeInterval) throws -> [PublishedKey] {
        let now = clock.now
        let keys =
            try ([active] + others).compactMap { try $0.published(host: host, notAfter: now.addingTimeInterval(heartbeat)) }
            + retired.compactMap { key in try key.published(host: host, notAfter: (key.retiredAt ?? now).addingTimeInterval(retention)) }
        var seen = Set<String>()
        return keys.filter { seen.insert($0.kid).inserted }
    }

    /// Trusts exactly `published` as the other hosts' keys, from now on: those that pass
    /// ``PublishedKey/validated()``, are not ours, have not lapsed, and parse as keys. Returns the rejected ones.
    @discardableResult
    public func adopt(_ published: [PublishedKey]) async throws -> [PublishedKey.Rejection] {
        let now = clock.now
        let own = Set(([active] + others + retired).map(\.kid))
        var trusted: [PublishedKey.Trusted] = []
        var rejected: [PublishedKey.Rejection] = []
        let scratch = JWTKeyCollection()
        let encoder = JSONEncoder()
        for row in published where !own.contains(row.kid) && row.notAfter > now {
            do throws(PublishedKey.Rejection) {
                let key = try row.validated()
                // A well-formed JWK can still name no key (a point off the curve): found here, not in the snapshot.
                do {
                    try await scratch.add(jwk: JSONDecoder().decode(JWK.self, from: encoder.encode(key.jwk)))
                } catch {
                    throw PublishedKey.Rejection(kid: key.kid, host: key.host, reason: "the JWK does not describe a usable key")
                }
                trusted.append(key)
            } catch {
                rejected.append(error)
            }
        }
        trusted.sort { $0.kid < $1.kid }
        // Their lifetimes move at every publication; the snapshot is rebuilt only when the keys change.
        let changed = trusted.map(\.kid) != peers.map(\.kid) || trusted.map(\.jwk) != peers.map(\.jwk)
        let previous = peers
        peers = trusted
        guard changed else { return rejected }
        do {
            try await publish()
        } catch {
            peers = previous
            throw error
        }
        return rejected
    }

    /// Builds the snapshot of the ring as it is now, and installs it unless a later change is already
    /// building its own (the `await` lets rotation, pruning and adoption interleave): the snapshot
    /// installed is always the newest state's.
    private func publish() async throws {
        generation &+= 1
        let building = generation
        let set = try await KeySet(
            algorithm: algorithm, active: active, others: others, retired: Self.verifying(retired, [active] + others), peers: peers,
            serializer: serializer)
        guard building == generation else { return }
        snapshot.withLock { $0 = set }
    }

    /// The serializer every token is signed with: NumericDates as integers (RFC 7519 §2 allows fractions,
    /// but PyJWT, jose4j and others reject them).
    static func makeSerializer() -> DefaultJWTSerializer {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .integerSecondsSince1970
        encoder.outputFormatting = .withoutEscapingSlashes
        return DefaultJWTSerializer(jsonEncoder: encoder)
    }

    /// The retired keys that still verify: those of an algorithm that has an active key.
    private static func verifying(_ keys: [SigningKey], _ actives: [SigningKey]) -> [SigningKey] {
        let algorithms = Set(actives.map(\.algorithm))
        return keys.filter { algorithms.contains($0.algorithm) }
    }

    private static func path(of kid: String, in directory: String) -> String {
        "\(directory)/\(kid).json"
    }

    private static func store(_ key: SigningKey, in directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try PrivateFiles.write(try encoder.encode(KeyFile(key)), to: path(of: key.kid, in: directory))
    }

    private static func loadKeys(from directory: String) throws -> [SigningKey] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw KeyRingError.io(path: directory, reason: "cannot list: \(error.localizedDescription)")
        }
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let path = "\(directory)/\(name)"
            let data = try PrivateFiles.read(path)
            guard let file = try? JSONDecoder().decode(KeyFile.self, from: data) else {
                throw KeyRingError.corruptKey("\(path) is not a pamtoken key file")
            }
            return try file.signingKey()
        }
    }
}
