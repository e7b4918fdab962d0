/// What `POST /admin/gc` (and the periodic pass's log line) reports.
public struct GarbageReport: Codable, Sendable, Equatable {
    public var deletedRows: Int
    public var prunedKeys: [String]

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
    public var revoked: Int

    public init(revoked: Int) {
        self.revoked = revoked
    }
}
