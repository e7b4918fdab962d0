import Crypto
import CryptoExtras
public import Foundation
import JWTKit

/// One signing key of the key ring: its identity (`kid`), its algorithm, its life span, and the secret.
///
/// The secret never leaves this type except through ``KeyFile`` (0600 on disk) and the `JWTKeyCollection`
/// it is added to. `description` deliberately prints nothing secret, so a key in a log line or a panic
/// message is harmless.
public struct SigningKey: Sendable, CustomStringConvertible {
    /// The key's stable identifier: for asymmetric keys the RFC 7638 JWK thumbprint of the public key,
    /// so the same key always gets the same `kid`, whoever computes it.
    public let kid: String
    public let algorithm: SigningAlgorithm
    /// When the key was generated.
    public let createdAt: Date
    /// When another key took over signing; nil for the active key. A retired key still verifies the
    /// tokens it signed until they have all expired.
    public internal(set) var retiredAt: Date?

    enum Material: Sendable {
        case es256(ES256PrivateKey)
        case edDSA(EdDSA.PrivateKey)
        case rs256(JWTKit.Insecure.RSA.PrivateKey)
        case hs256(Data)
    }

    let material: Material

    init(kid: String, algorithm: SigningAlgorithm, createdAt: Date, retiredAt: Date?, material: Material) {
        self.kid = kid
        self.algorithm = algorithm
        self.createdAt = createdAt
        self.retiredAt = retiredAt
        self.material = material
    }

    /// Generates a fresh key from the system CSPRNG.
    public static func generate(_ algorithm: SigningAlgorithm, at date: Date) throws -> SigningKey {
        let material: Material =
            switch algorithm {
            case .es256: .es256(ES256PrivateKey())
            case .edDSA: .edDSA(try EdDSA.PrivateKey(curve: .ed25519))
            case .rs256: .rs256(try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048)))
            case .hs256: .hs256(Data.random(count: 32))
            }
        let kid = try material.publicJWK.map(Self.thumbprint) ?? Data.random(count: 16).base64URLEncodedString()
        return SigningKey(kid: kid, algorithm: algorithm, createdAt: date, retiredAt: nil, material: material)
    }

    /// The public key as a JWK (RFC 7517) with `kid`, `alg` and `use: "sig"`; nil for HMAC keys, which
    /// have no public half and must never be published.
    public func publicJWK() throws -> [String: String]? {
        guard var jwk = try material.publicJWK else { return nil }
        jwk["kid"] = kid
        jwk["alg"] = algorithm.rawValue
        jwk["use"] = "sig"
        return jwk
    }

    /// Adds the key to a jwt-kit collection under its `kid`, using `serializer` for signing.
    func add(to collection: JWTKeyCollection, serializer: some JWTSerializer) async {
        let kid = JWKIdentifier(string: kid)
        switch material {
        case .es256(let key): await collection.add(ecdsa: key, kid: kid, serializer: serializer)
        case .edDSA(let key): await collection.add(eddsa: key, kid: kid, serializer: serializer)
        case .rs256(let key): await collection.add(rsa: key, digestAlgorithm: .sha256, kid: kid, serializer: serializer)
        case .hs256(let secret): await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: kid, serializer: serializer)
        }
    }

    /// RFC 7638: SHA-256 over the JSON of the required members, in lexicographic order, no whitespace.
    static func thumbprint(_ jwk: [String: String]) -> String {
        let required: [String] =
            switch jwk["kty"] {
            case "EC": ["crv", "kty", "x", "y"]
            case "OKP": ["crv", "kty", "x"]
            case "RSA": ["e", "kty", "n"]
            default: jwk.keys.sorted()
            }
        // Every member value is base64url or a fixed name, so no JSON escaping is needed.
        let json = "{" + required.map { "\"\($0)\":\"\(jwk[$0] ?? "")\"" }.joined(separator: ",") + "}"
        return Data(SHA256.hash(data: Data(json.utf8))).base64URLEncodedString()
    }

    public var description: String {
        "SigningKey(kid: \(kid), alg: \(algorithm), created: \(createdAt)\(retiredAt.map { ", retired: \($0)" } ?? ""))"
    }
}

extension SigningKey.Material {
    /// The members of the public JWK that identify the key (RFC 7518 §6), without `kid`/`alg`/`use`.
    var publicJWK: [String: String]? {
        get throws {
            switch self {
            case .es256(let key):
                guard let parameters = key.publicKey.parameters else { throw KeyRingError.corruptKey("EC key without coordinates") }
                return ["kty": "EC", "crv": "P-256", "x": parameters.x, "y": parameters.y]
            case .edDSA(let key):
                return ["kty": "OKP", "crv": "Ed25519", "x": key.publicKey.rawRepresentation.base64URLEncodedString()]
            case .rs256(let key):
                let primitives = try key.publicKey.getKeyPrimitives()
                return ["kty": "RSA", "n": primitives.modulus.base64URLEncodedString(), "e": primitives.publicExponent.base64URLEncodedString()]
            case .hs256:
                return nil
            }
        }
    }
}
