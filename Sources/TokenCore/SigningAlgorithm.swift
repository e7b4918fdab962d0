/// The JWS algorithms pamtokend signs with. Exactly one is configured, and verification accepts that
/// one only: RFC 8725 §3.1 (use an allow-list, never trust the `alg` header to pick the algorithm).
public enum SigningAlgorithm: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// ECDSA P-256 with SHA-256 (RFC 7518 §3.4). The default: small keys and signatures, fast, universal.
    case es256 = "ES256"
    /// Ed25519 (RFC 8037). Fastest and deterministic; not every JWT library accepts it yet.
    case edDSA = "EdDSA"
    /// RSASSA-PKCS1-v1_5 with SHA-256 and a 2048-bit key. For clients that know nothing else.
    case rs256 = "RS256"
    /// HMAC-SHA-256 with a secret key. No JWKS: only the daemon itself can verify such tokens.
    case hs256 = "HS256"

    /// Parses a configured name, accepting any letter case ("es256", "EDDSA").
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = match
    }

    /// Whether the key has a public half that can be published in the JWKS.
    public var isAsymmetric: Bool { self != .hs256 }

    public var description: String { rawValue }
}
