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
    /// Browser sign-in (OpenID Connect Core §3.1.2).
    public var authorizationEndpoint: String?
    /// RP-initiated logout.
    public var endSessionEndpoint: String?
    /// `["code"]`.
    public var responseTypesSupported: [String]?
    /// `["query"]`.
    public var responseModesSupported: [String]?
    /// `["S256"]`: PKCE is required, `plain` is refused.
    public var codeChallengeMethodsSupported: [String]?
    /// `openid`, `profile`, `groups`, `posix`.
    public var scopesSupported: [String]?
    /// The claims ID tokens and `/userinfo` may carry.
    public var claimsSupported: [String]?
    /// RFC 9207: the authorization response carries `iss`.
    public var authorizationResponseIssParameterSupported: Bool?
    /// `public`: `sub` is the user name everywhere.
    public var subjectTypesSupported: [String]?
    /// The `aud` of the daemon's access tokens (`audience`), so that `pamtoken verify` checks what this
    /// daemon issues without being told. Not a registered metadata name, hence the prefix.
    public var pamtokenAudiences: [String]?
    /// The algorithm ID tokens are signed with (the key ring's).
    public var idTokenSigningAlgValuesSupported: [String]?

    /// The daemon's metadata for `issuer`, offering `grantTypes`, signing ID tokens with `idTokenAlgorithms`.
    public init(issuer: String, grantTypes: [String], idTokenAlgorithms: [String]) {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.issuer = issuer
        tokenEndpoint = base + "/token"
        jwksURI = base + "/.well-known/jwks.json"
        revocationEndpoint = base + "/revoke"
        introspectionEndpoint = base + "/introspect"
        userinfoEndpoint = base + "/userinfo"
        grantTypesSupported = grantTypes
        authorizationEndpoint = base + "/authorize"
        endSessionEndpoint = base + "/end_session"
        tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
        revocationEndpointAuthMethodsSupported = ["none"]
        introspectionEndpointAuthMethodsSupported = ["none"]
        responseTypesSupported = ["code"]
        responseModesSupported = ["query"]
        codeChallengeMethodsSupported = ["S256"]
        scopesSupported = ["openid", "profile", "groups", "posix"]
        claimsSupported = [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr", "sid", "preferred_username", "name", "groups", "uid", "gid",
        ]
        authorizationResponseIssParameterSupported = true
        subjectTypesSupported = ["public"]
        idTokenSigningAlgValuesSupported = idTokenAlgorithms
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
        case authorizationEndpoint = "authorization_endpoint"
        case endSessionEndpoint = "end_session_endpoint"
        case responseTypesSupported = "response_types_supported"
        case responseModesSupported = "response_modes_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case scopesSupported = "scopes_supported"
        case claimsSupported = "claims_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case pamtokenAudiences = "pamtoken_audiences"
    }
}
