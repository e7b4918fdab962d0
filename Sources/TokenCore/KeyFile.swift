import Foundation
import JWTKit

/// The on-disk form of a ``SigningKey``: one JSON file per key, `<state-dir>/keys/<kid>.json`, mode 0600.
///
/// JSON rather than bare PEM so that the metadata that rotation needs (creation, retirement) travels
/// with the key and a backup of the directory is complete on its own.
struct KeyFile: Codable {
    var kid: String
    var alg: SigningAlgorithm
    var createdAt: Int64
    var retiredAt: Int64?
    /// PEM (ES256, RS256) or base64url bytes (EdDSA `d`, HS256 secret).
    var privateKey: String

    enum CodingKeys: String, CodingKey {
        case kid, alg
        case createdAt = "created_at"
        case retiredAt = "retired_at"
        case privateKey = "private_key"
    }

    init(_ key: SigningKey) {
        kid = key.kid
        alg = key.algorithm
        createdAt = Int64(key.createdAt.timeIntervalSince1970)
        retiredAt = key.retiredAt.map { Int64($0.timeIntervalSince1970) }
        privateKey =
            switch key.material {
            case .es256(let key): key.pemRepresentation
            case .edDSA(let key): key.rawRepresentation.base64URLEncodedString()
            case .rs256(let key): key.pemRepresentation
            case .hs256(let secret): secret.base64URLEncodedString()
            }
    }

    func signingKey() throws -> SigningKey {
        let material: SigningKey.Material
        do {
            switch alg {
            case .es256: material = .es256(try ES256PrivateKey(pem: privateKey))
            case .edDSA: material = .edDSA(try EdDSA.PrivateKey(d: privateKey, curve: .ed25519))
            case .rs256: material = .rs256(try JWTKit.Insecure.RSA.PrivateKey(pem: privateKey))
            case .hs256:
                guard let secret = Data(base64URLEncoded: privateKey), secret.count >= 32 else {
                    throw KeyRingError.corruptKey("\(kid): HMAC secret shorter than 256 bits")
                }
                material = .hs256(secret)
            }
        } catch let error as KeyRingError {
            throw error
        } catch {
            // The underlying error may quote key material; report only which key failed.
            throw KeyRingError.corruptKey("\(kid): the \(alg) private key does not parse")
        }
        return SigningKey(
            kid: kid, algorithm: alg,
            createdAt: Date(timeIntervalSince1970: TimeInterval(createdAt)),
            retiredAt: retiredAt.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            material: material)
    }
}
