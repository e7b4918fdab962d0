/// What `POST /admin/gc` (and the periodic pass's log line) reports.
public struct GarbageReport: Codable, Sendable, Equatable {
    /// Expired or revoked sessions and tokens deleted.
    public var deletedRows: Int
    /// Retired keys removed (their `kid`s).
    public var prunedKeys: [String]

    /// A value with every member given, as the daemon builds it.
    public init(deletedRows: Int, prunedKeys: [String]) {
        self.deletedRows = deletedRows
        self.prunedKeys = prunedKeys
    }

    enum CodingKeys: String, CodingKey {
        case deletedRows = "deleted_rows"
        case prunedKeys = "pruned_keys"
    }
}

/// What `POST /admin/revoke` reports: how many sessions it ended.
public struct RevokeCount: Codable, Sendable, Equatable {
    /// How many sessions were revoked.
    public var revoked: Int

    /// A value with every member given, as the daemon builds it.
    public init(revoked: Int) {
        self.revoked = revoked
    }
}
