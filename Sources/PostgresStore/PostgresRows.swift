import Foundation
import PostgresNIO
import TokenCore
import TokenStore

/// The columns the store reads, and the records built from them: one place that knows both the SQL
/// and the Swift side of a row.
enum PostgresRows {
    static let sessionColumns = """
        id, "user", uid, auth_method, client_id, scope, peer, peer_uid, peer_pid, created_at, last_used_at, expires_at, \
        idle_expires_at, revoked_at, revoke_reason, parent_id
        """

    static let codeColumns = """
        hash, client_id, redirect_uri, code_challenge, nonce, scope, browser_session_id, created_at, expires_at, used_at, session_id
        """

    static func session(_ row: PostgresRow) throws -> SessionRecord {
        let r = row.makeRandomAccess()
        // As SQLite's decoding does: a value this pamtokend does not know is an error, not a guess.
        let method = try r["auth_method"].decode(String.self)
        guard let authMethod = AuthMethod(rawValue: method), let uid = UInt32(exactly: try r["uid"].decode(Int64.self)) else {
            throw UnexpectedRow(column: AuthMethod(rawValue: method) == nil ? "auth_method" : "uid")
        }
        return SessionRecord(
            id: try r["id"].decode(String.self), user: try r["user"].decode(String.self), uid: uid,
            authMethod: authMethod,
            clientID: try r["client_id"].decode(String.self), scope: try r["scope"].decode(String?.self),
            peer: try r["peer"].decode(String?.self), peerUID: try r["peer_uid"].decode(Int64?.self).flatMap { UInt32(exactly: $0) },
            peerPID: try r["peer_pid"].decode(Int32?.self), createdAt: try r["created_at"].decode(Int64.self),
            lastUsedAt: try r["last_used_at"].decode(Int64.self), expiresAt: try r["expires_at"].decode(Int64.self),
            idleExpiresAt: try r["idle_expires_at"].decode(Int64.self), revokedAt: try r["revoked_at"].decode(Int64?.self),
            revokeReason: try r["revoke_reason"].decode(String?.self), parentID: try r["parent_id"].decode(String?.self))
    }

    static func code(_ row: PostgresRow) throws -> AuthorizationCodeRecord {
        let r = row.makeRandomAccess()
        var record = AuthorizationCodeRecord(
            hash: Data(try r["hash"].decode(ByteBuffer.self).readableBytesView), clientID: try r["client_id"].decode(String.self),
            redirectURI: try r["redirect_uri"].decode(String.self), codeChallenge: try r["code_challenge"].decode(String.self),
            nonce: try r["nonce"].decode(String?.self), scope: try r["scope"].decode(String.self),
            browserSessionID: try r["browser_session_id"].decode(String.self), createdAt: try r["created_at"].decode(Int64.self),
            expiresAt: try r["expires_at"].decode(Int64.self))
        record.usedAt = try r["used_at"].decode(Int64?.self)
        record.sessionID = try r["session_id"].decode(String?.self)
        return record
    }

    /// The first row of a result, or nil.
    static func first<T>(_ rows: PostgresRowSequence, _ make: (PostgresRow) throws -> T) async throws -> T? {
        for try await row in rows { return try make(row) }
        return nil
    }

    /// Every row of a result.
    static func all<T>(_ rows: PostgresRowSequence, _ make: (PostgresRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in rows { result.append(try make(row)) }
        return result
    }

    /// How many rows a result has (an `UPDATE … RETURNING` counts what it changed).
    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}

extension Data {
    /// Bound as `bytea`.
    var bytes: ByteBuffer { ByteBuffer(bytes: self) }
}

/// A row with a value this pamtokend cannot represent (written by a newer host, or by hand).
struct UnexpectedRow: Error, CustomStringConvertible {
    let column: String
    var description: String { "a session row has a \(column) this pamtokend does not know" }
}
