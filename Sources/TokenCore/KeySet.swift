public import Foundation
import JWTKit

/// An immutable snapshot of the key ring: the active signing key, every key that may still verify,
/// and the JWKS document already serialised, so serving `/.well-known/jwks.json` costs no work.
public struct KeySet: Sendable {
    /// The algorithm every key here uses; the only one verification accepts.
    public let algorithm: SigningAlgorithm
    /// The key new tokens are signed with.
    public let active: SigningKey
    /// Every key, active first, then retired keys newest first.
    public let keys: [SigningKey]
    /// `{"keys":[…]}` with the public half of every key (empty for HS256), RFC 7517 §5.
    public let jwksJSON: Data
    /// What a verifier needs: the same keys, by `kid`.
    public let verificationKeys: VerificationKeys

    init(algorithm: SigningAlgorithm, active: SigningKey, retired: [SigningKey], serializer: some JWTSerializer) async throws {
        self.algorithm = algorithm
        self.active = active
        self.keys = [active] + retired.sorted { ($0.retiredAt ?? .distantPast) > ($1.retiredAt ?? .distantPast) }
        let collection = JWTKeyCollection()
        for key in keys {
            await key.add(to: collection, serializer: serializer)
        }
        let jwks = try keys.compactMap { try $0.publicJWK() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.jwksJSON = try encoder.encode(["keys": jwks])
        self.verificationKeys = VerificationKeys(algorithm: algorithm, kids: Set(keys.map(\.kid)), collection: collection)
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
