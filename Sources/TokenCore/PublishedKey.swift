public import Foundation

/// A public signing key as the hosts of a fleet share it (docs/fleet.md, "Keys"): its `kid`, algorithm,
/// public JWK, the host that holds its private half, and the instant after which nobody may trust it.
///
/// Each host publishes its own keys and reads everybody's; the JWKS any host serves, and the keys its
/// verification accepts, are the union. Rows come from a shared database, so ``validated()`` trusts
/// nothing in them: the `kid` must be the RFC 7638 thumbprint of the key it names, and only the public
/// members of the JWK are kept, so a row carrying a private member (`d`) can never be republished.
public struct PublishedKey: Sendable, Equatable {
    public let kid: String
    /// The JWS algorithm's name, as stored (`ES256`, `EdDSA`, `RS256`).
    public let algorithm: String
    /// The public JWK as JSON.
    public let jwk: String
    /// The host that publishes it: what `hostname` says there. For operators; trust does not depend on it.
    public let host: String
    /// When the key stops being trusted: for an active key a heartbeat ahead of now, renewed while its
    /// host lives; for a retired key the end of the last token it signed.
    public let notAfter: Date

    public init(kid: String, algorithm: String, jwk: String, host: String, notAfter: Date) {
        self.kid = kid
        self.algorithm = algorithm
        self.jwk = jwk
        self.host = host
        self.notAfter = notAfter
    }

    /// Why a published row was not trusted. Names the `kid` and the host, never key material.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public let kid: String
        public let host: String
        public let reason: String

        public var description: String { "published key \(kid) of host \(host): \(reason)" }
    }

    /// A published key that passed ``validated()``: its algorithm and canonical public JWK.
    public struct Trusted: Sendable, Equatable {
        public let kid: String
        public let algorithm: SigningAlgorithm
        /// Only the members that define the public key, plus `kid`, `alg` and `use: sig`.
        public let jwk: [String: String]
        public let host: String
        public let notAfter: Date
    }

    /// The key, checked: a known asymmetric algorithm, a JWK of the matching type with exactly the
    /// public members it needs, and a `kid` equal to the thumbprint of those members.
    public func validated() throws(Rejection) -> Trusted {
        func reject(_ reason: String) -> Rejection { Rejection(kid: String(kid.prefix(64)), host: String(host.prefix(64)), reason: reason) }
        guard let algorithm = SigningAlgorithm(rawValue: algorithm), algorithm.isAsymmetric else {
            throw reject("algorithm \(String(self.algorithm.prefix(16))) is not one pamtoken publishes")
        }
        guard let members = try? JSONDecoder().decode([String: String].self, from: Data(jwk.utf8)) else {
            throw reject("the JWK is not a JSON object of strings")
        }
        let required: [String]
        switch (algorithm, members["kty"], members["crv"]) {
        case (.es256, "EC", "P-256"): required = ["crv", "kty", "x", "y"]
        case (.edDSA, "OKP", "Ed25519"): required = ["crv", "kty", "x"]
        case (.rs256, "RSA", _): required = ["e", "kty", "n"]
        default: throw reject("the JWK's key type does not match \(algorithm)")
        }
        var canonical: [String: String] = [:]
        for name in required {
            guard let value = members[name], !value.isEmpty else { throw reject("the JWK has no \(name)") }
            // Key material is base64url (RFC 7518 §6): nothing that could change the thumbprint's JSON.
            guard name == "kty" || name == "crv" || value.utf8.allSatisfy(Self.isBase64URL) else {
                throw reject("the JWK's \(name) is not base64url")
            }
            canonical[name] = value
        }
        guard SigningKey.thumbprint(canonical) == kid else { throw reject("the kid is not the key's RFC 7638 thumbprint") }
        if let alg = members["alg"], alg != algorithm.rawValue { throw reject("the JWK's alg \(String(alg.prefix(16))) contradicts the row") }
        canonical["kid"] = kid
        canonical["alg"] = algorithm.rawValue
        canonical["use"] = "sig"
        return Trusted(kid: kid, algorithm: algorithm, jwk: canonical, host: host, notAfter: notAfter)
    }
}

extension PublishedKey {
    static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

extension SigningKey {
    /// This key as published for the fleet; nil for an HMAC key, which has no public half.
    public func published(host: String, notAfter: Date) throws -> PublishedKey? {
        guard var jwk = try publicJWK() else { return nil }
        jwk.removeValue(forKey: "use")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return PublishedKey(
            kid: kid, algorithm: algorithm.rawValue, jwk: String(decoding: try encoder.encode(jwk), as: UTF8.self), host: host, notAfter: notAfter)
    }
}
