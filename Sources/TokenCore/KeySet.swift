public import Foundation
import JWTKit

/// An immutable snapshot of the key ring: the active signing keys, every key that may still verify,
/// and the JWKS document already serialised, so serving `/.well-known/jwks.json` costs no work.
public struct KeySet: Sendable {
    /// The algorithm of access tokens; the only one their verification accepts.
    public let algorithm: SigningAlgorithm
    /// The key new access tokens are signed with.
    public let active: SigningKey
    /// The active key of every algorithm: ``active`` and those that sign some clients' ID tokens.
    public let activeByAlgorithm: [SigningAlgorithm: SigningKey]
    /// Every key: the active ones first (``active`` leading), then retired keys newest first.
    public let keys: [SigningKey]
    /// The other hosts' public keys, in a fleet (docs/fleet.md): published, verified, never used to sign.
    public let peers: [PublishedKey.Trusted]
    /// `{"keys":[…]}` with the public half of every key (empty for HS256), then the peers', RFC 7517 §5.
    public let jwksJSON: Data
    /// What a verifier needs: the same keys, by `kid`.
    public let verificationKeys: VerificationKeys

    init(
        algorithm: SigningAlgorithm, active: SigningKey, others: [SigningKey] = [], retired: [SigningKey], peers: [PublishedKey.Trusted] = [],
        serializer: some JWTSerializer
    )
        async throws
    {
        self.algorithm = algorithm
        self.active = active
        self.activeByAlgorithm = Dictionary(([active] + others).map { ($0.algorithm, $0) }, uniquingKeysWith: { first, _ in first })
        self.keys = [active] + others + retired.sorted { ($0.retiredAt ?? .distantPast) > ($1.retiredAt ?? .distantPast) }
        let collection = JWTKeyCollection()
        for key in keys {
            await key.add(to: collection, serializer: serializer)
        }
        let own = Set(keys.map(\.kid))
        self.peers = peers.filter { !own.contains($0.kid) }.sorted { $0.kid < $1.kid }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for peer in self.peers {
            // Public members only (PublishedKey.validated()), so the collection can verify with it but never sign.
            try await collection.add(jwk: JSONDecoder().decode(JWK.self, from: encoder.encode(peer.jwk)))
        }
        let jwks = try keys.compactMap { try $0.publicJWK() } + self.peers.map(\.jwk)
        self.jwksJSON = try encoder.encode(["keys": jwks])
        // Access tokens verify with keys of their one algorithm only; the collection holds every key,
        // since ID tokens are signed through it too.
        let kids = keys.filter { $0.algorithm == algorithm }.map(\.kid) + self.peers.filter { $0.algorithm == algorithm }.map(\.kid)
        self.verificationKeys = VerificationKeys(algorithm: algorithm, kids: Set(kids), collection: collection)
    }
}

/// Keys that verify tokens, by `kid`, with the one accepted algorithm. Built from our own key ring or,
/// by a relying party, from the daemon's published JWKS.
public struct VerificationKeys: Sendable {
    public let algorithm: SigningAlgorithm
    public let kids: Set<String>
    let collection: JWTKeyCollection

    init(algorithm: SigningAlgorithm, kids: Set<String>, collection: JWTKeyCollection) {
        self.algorithm = algorithm
        self.kids = kids
        self.collection = collection
    }

    /// Builds a verification set from a JWKS document. Keys with another `alg`, without a `kid`, or not
    /// meant for signatures are left out: RFC 8725 §3.1, the algorithm is ours to choose, not the token's.
    public static func fromJWKS(_ json: Data, algorithm: SigningAlgorithm) async throws -> VerificationKeys {
        let jwks = try JSONDecoder().decode(JWKS.self, from: json)
        let collection = JWTKeyCollection()
        var kids = Set<String>()
        for jwk in jwks.keys {
            guard let kid = jwk.keyIdentifier?.string, jwk.algorithm?.rawValue == algorithm.rawValue else { continue }
            try await collection.add(jwk: jwk)
            kids.insert(kid)
        }
        return VerificationKeys(algorithm: algorithm, kids: kids, collection: collection)
    }
}
