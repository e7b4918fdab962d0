import Foundation
import Hummingbird
import NIOCore
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// The JWKS and the RFC 8414 metadata documents, under both names OAuth and OIDC clients look for.
    func addDiscoveryRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        let metadata = JSONBody.encode(AuthorizationServerMetadata(issuer: authority.issuerURL))
        table.add(.get, "/.well-known/jwks.json", on: router) { _, _ in
            // Serialised once per key change by the key ring; here only wrapped.
            .json(bytes: ByteBuffer(bytes: self.authority.keys.jwksJSON))
        }
        table.add(.get, "/.well-known/openid-configuration", on: router) { _, _ in .json(bytes: metadata) }
        table.add(.get, "/.well-known/oauth-authorization-server", on: router) { _, _ in .json(bytes: metadata) }
    }
}

/// RFC 8414 §2 authorization server metadata. Endpoints are derived from the issuer, which therefore
/// should be the URL clients reach the daemon at.
struct AuthorizationServerMetadata: Encodable {
    var issuer: String
    var tokenEndpoint: String
    var jwksURI: String
    var revocationEndpoint: String
    var introspectionEndpoint: String
    var userinfoEndpoint: String
    var grantTypesSupported = ["password", "refresh_token", PeerCredentialsGrant.type]
    var tokenEndpointAuthMethodsSupported = ["none"]
    var revocationEndpointAuthMethodsSupported = ["none"]
    var introspectionEndpointAuthMethodsSupported = ["none"]
    var responseTypesSupported: [String] = []
    var subjectTypesSupported = ["public"]
    var idTokenSigningAlgValuesSupported: [String] = []

    init(issuer: String) {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.issuer = issuer
        tokenEndpoint = base + "/token"
        jwksURI = base + "/.well-known/jwks.json"
        revocationEndpoint = base + "/revoke"
        introspectionEndpoint = base + "/introspect"
        userinfoEndpoint = base + "/userinfo"
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
