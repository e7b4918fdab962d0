public import Foundation
import PostgresNIO
public import TokenCore
public import TokenStore

/// The fleet's public keys (docs/fleet.md, "Keys"): one row per `kid`, written by the host that holds
/// the private half, read by all.
extension PostgresSessionStore: PublicKeyDirectory {
    public func publish(_ keys: [PublishedKey], now: Date) async throws {
        let seconds = Int64(now.timeIntervalSince1970)
        try await leased(transaction: .readCommitted) { connection in
            for key in keys {
                // A kid is the key's thumbprint: a row already under it holds the same public key, and
                // only its lifetime (and the host's name, should that have changed) is renewed.
                try await connection.query(
                    """
                    INSERT INTO public_keys (kid, alg, jwk, host, published_at, not_after)
                    VALUES (\(key.kid), \(key.algorithm), \(key.jwk), \(key.host), \(seconds), \(Int64(key.notAfter.timeIntervalSince1970)))
                    ON CONFLICT (kid) DO UPDATE SET host = EXCLUDED.host, published_at = EXCLUDED.published_at, not_after = EXCLUDED.not_after
                    """, logger: logger)
            }
            try await connection.query("DELETE FROM public_keys WHERE not_after <= \(seconds)", logger: logger)
        }
    }

    public func publishedKeys(at now: Date) async throws -> [PublishedKey] {
        let seconds = Int64(now.timeIntervalSince1970)
        return try await leased { connection in
            var keys: [PublishedKey] = []
            let rows = try await connection.query(
                "SELECT kid, alg, jwk, host, not_after FROM public_keys WHERE not_after > \(seconds) ORDER BY kid", logger: logger)
            for try await (kid, alg, jwk, host, notAfter) in rows.decode((String, String, String, String, Int64).self) {
                keys.append(PublishedKey(kid: kid, algorithm: alg, jwk: jwk, host: host, notAfter: Self.date(notAfter)))
            }
            return keys
        }
    }
}
