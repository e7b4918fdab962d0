import Foundation
import TokenCore

/// The daemon's JWKS as `verify` last fetched it, kept next to the session file.
///
/// A verifier should not fetch keys for every token, but must notice a rotation: a token whose `kid`
/// the cached set lacks triggers exactly one refetch (as OIDC relying parties do), and a `kid` still
/// unknown after that is an unknown key. A set older than ``maximumAge`` is fetched again whatever
/// the token, so that a key the daemon withdrew stops verifying here too.
struct KeyCache: Sendable {
    let api: any DaemonService
    let paths: SessionPaths
    /// When the cached set is too old to trust.
    let now: Date

    /// As for relying parties using `PAMTokenAuth`.
    static let maximumAge: TimeInterval = 600

    enum Lookup {
        /// The JWKS holding the key, and the key's algorithm.
        case found(jwks: Data, algorithm: SigningAlgorithm)
        /// The daemon does not publish the key; `publishesNone` when it publishes no key at all (HS256).
        case unknown(publishesNone: Bool)
    }

    func keys(for kid: String) async throws -> Lookup {
        // The cache lives beside the session: only in a directory of the caller's own, as the session does.
        let ownDirectory = (try? PrivateFiles.checkOwnedDirectory(paths.directory)) == true
        if ownDirectory, let modified = try? FileManager.default.attributesOfItem(atPath: paths.jwksFile)[.modificationDate] as? Date,
            now.timeIntervalSince(modified) < Self.maximumAge, modified.timeIntervalSince(now) < 60,
            let cached = try? PrivateFiles.readOwned(paths.jwksFile), let algorithm = Self.algorithm(of: kid, in: cached)
        {
            return .found(jwks: cached, algorithm: algorithm)
        }
        let fresh = try await api.jwks()
        // The cache is an optimisation: a read-only home directory must not make verification fail.
        if (try? PrivateFiles.createDirectory(paths.directory)) != nil, (try? PrivateFiles.checkOwnedDirectory(paths.directory)) == true {
            try? PrivateFiles.write(fresh, to: paths.jwksFile)
        }
        guard let algorithm = Self.algorithm(of: kid, in: fresh) else { return .unknown(publishesNone: Self.isEmpty(fresh)) }
        return .found(jwks: fresh, algorithm: algorithm)
    }

    /// The `alg` the JWKS gives the key `kid`. RFC 8725 §3.1: the key decides the algorithm, not the token.
    static func algorithm(of kid: String, in jwks: Data) -> SigningAlgorithm? {
        struct Document: Decodable {
            struct Key: Decodable {
                var kid: String?
                var alg: String?
            }
            var keys: [Key]
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: jwks),
            let key = document.keys.first(where: { $0.kid == kid }), let name = key.alg
        else { return nil }
        return SigningAlgorithm(name: name)
    }

    /// Whether the JWKS publishes no key at all (the daemon signs with HS256).
    static func isEmpty(_ jwks: Data) -> Bool {
        (try? JSONSerialization.jsonObject(with: jwks) as? [String: Any])?["keys"].flatMap { $0 as? [Any] }?.isEmpty ?? false
    }
}
