public import Foundation
import PostgresNIO
public import TokenCore
public import TokenStore

/// The fleet's public keys (docs/fleet.md, "Keys"): one row per `kid`, written by the host that holds
/// the private half, read by all.
extension PostgresSessionStore: PublicKeyDirectory {
    /// How long after it lapsed a row is deleted.
    static let deletionMargin: Int64 = 86400
    /// Bounds on what a sync reads, whatever the table holds: a public JWK is under 1 KiB (RSA-2048's
    /// is about 400 bytes), and a fleet of many hosts has a few keys each.
    static let largestKey = 4096
    static let mostKeys = 1024

    public func publish(_ keys: [PublishedKey], now: Date) async throws {
        let seconds = Int64(now.timeIntervalSince1970)
        try await leased(transaction: .readCommitted) { connection in
            for key in keys {
                // A kid is the key's thumbprint: a row already under it names the same key, and is
                // rewritten whole (a damaged row is repaired by the host that holds the key).
                try await connection.query(
                    """
                    INSERT INTO public_keys (kid, alg, jwk, host, published_at, not_after)
                    VALUES (\(key.kid), \(key.algorithm), \(key.jwk), \(key.host), \(seconds), \(Int64(key.notAfter.timeIntervalSince1970)))
                    ON CONFLICT (kid) DO UPDATE SET alg = EXCLUDED.alg, jwk = EXCLUDED.jwk, host = EXCLUDED.host,
                        published_at = EXCLUDED.published_at, not_after = EXCLUDED.not_after
                    """, logger: logger)
            }
            // A day late: readers judge lapse by their own clocks, and one host's clock running ahead
            // must not delete the others' live rows.
            try await connection.query("DELETE FROM public_keys WHERE not_after <= \(seconds - Self.deletionMargin)", logger: logger)
        }
    }

    public func publishedKeys(at now: Date) async throws -> [PublishedKey] {
        let seconds = Int64(now.timeIntervalSince1970)
        return try await leased { connection in
            var keys: [PublishedKey] = []
            let rows = try await connection.query(
                """
                SELECT kid, alg, jwk, host, not_after FROM public_keys
                WHERE not_after > \(seconds) AND length(jwk) <= \(Self.largestKey)
                ORDER BY not_after DESC LIMIT \(Self.mostKeys)
                """, logger: logger)
            for try await (kid, alg, jwk, host, notAfter) in rows.decode((String, String, String, String, Int64).self) {
                keys.append(PublishedKey(kid: kid, algorithm: alg, jwk: jwk, host: host, notAfter: Self.date(notAfter)))
            }
            return keys
        }
    }
}
