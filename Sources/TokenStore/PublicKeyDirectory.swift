public import Foundation
public import TokenCore

/// Where the hosts of a fleet publish their public signing keys and read each other's (docs/fleet.md,
/// "Keys"). Only public halves go there: every private key stays in its host's key directory.
///
/// Only the PostgreSQL store is one; a host on SQLite is a fleet of one and has nothing to share.
/// Whoever may write this table may make a host trust a key, so it belongs to the same database role
/// as the sessions, which can already revoke anyone: see docs/security-model.md.
public protocol PublicKeyDirectory: Sendable {
    /// Records `keys` (by `kid`: a key published again gets its new `notAfter`), and deletes every row
    /// that lapsed before `now`.
    func publish(_ keys: [PublishedKey], now: Date) async throws
    /// Every key, of every host, still trusted at `now`.
    func publishedKeys(at now: Date) async throws -> [PublishedKey]
}
