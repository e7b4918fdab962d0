/// RFC 8414 §2 authorization server metadata (also served as OpenID discovery). Endpoints derive from
/// the issuer, which therefore should be the URL clients reach the daemon at. Only `issuer` is
/// required when decoding, so that clients (the CLI, `PAMTokenAuth`) keep working against a daemon
/// that adds or omits optional members; the daemon itself always sends them all.
public struct ServerMetadata: Codable, Sendable, Equatable {
    /// The issuer URL: `iss` of every token, base of every endpoint below.
    public var issuer: String
    /// `POST` here for tokens.
    public var tokenEndpoint: String?
    /// The public keys (RFC 7517).
    public var jwksURI: String?
    /// RFC 7009 revocation.
    public var revocationEndpoint: String?
    /// RFC 7662 introspection.
    public var introspectionEndpoint: String?
    /// Who a token is for.
    public var userinfoEndpoint: String?
    /// The grants the token endpoint takes.
    public var grantTypesSupported: [String]?
    /// Client authentication at the token endpoint (`none`: public clients).
    public var tokenEndpointAuthMethodsSupported: [String]?
    /// Client authentication at the revocation endpoint.
    public var revocationEndpointAuthMethodsSupported: [String]?
    /// Client authentication at the introspection endpoint.
    public var introspectionEndpointAuthMethodsSupported: [String]?
    /// Authorization-endpoint response types (none until browser sign-in exists).
    public var responseTypesSupported: [String]?
    /// `public`: `sub` is the user name everywhere.
    public var subjectTypesSupported: [String]?
    /// ID-token algorithms (none until browser sign-in exists).
    public var idTokenSigningAlgValuesSupported: [String]?

    /// The daemon's metadata for `issuer`, offering `grantTypes`.
    public init(issuer: String, grantTypes: [String]) {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.issuer = issuer
        tokenEndpoint = base + "/token"
        jwksURI = base + "/.well-known/jwks.json"
        revocationEndpoint = base + "/revoke"
        introspectionEndpoint = base + "/introspect"
        userinfoEndpoint = base + "/userinfo"
        grantTypesSupported = grantTypes
        tokenEndpointAuthMethodsSupported = ["none"]
        revocationEndpointAuthMethodsSupported = ["none"]
        introspectionEndpointAuthMethodsSupported = ["none"]
        responseTypesSupported = []
        subjectTypesSupported = ["public"]
        idTokenSigningAlgValuesSupported = []
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case revocationEndpoint = "revocation_endpoint"
        case introspectionEndpoint = "introspection_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case grantTypesSupported = "grant_types_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case introspectionEndpointAuthMethodsSupported = "introspection_endpoint_auth_methods_supported"
        case responseTypesSupported = "response_types_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
    }
}
