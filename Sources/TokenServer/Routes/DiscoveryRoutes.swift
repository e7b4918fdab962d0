import Foundation
import Hummingbird
import NIOCore
import PamtokenWire
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// The JWKS and the RFC 8414 metadata documents, under both names OAuth and OIDC clients look for.
    func addDiscoveryRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        let grants =
            ["authorization_code"] + (authority.settings.passwordGrant ? ["password"] : []) + ["refresh_token"]
            + (authority.settings.peercredGrant ? [PeerCredentialsGrant.type] : [])
        var document = ServerMetadata(
            issuer: authority.issuerURL, grantTypes: grants,
            idTokenAlgorithms: ([authority.keys.algorithm] + authority.keyRing.idTokenAlgorithms).map(\.rawValue))
        document.pamtokenAudiences = authority.policy.audiences
        let metadata = JSONBody.encode(document)
        table.add(.get, "/.well-known/jwks.json", on: router) { _, _ in
            // Serialised once per key change by the key ring; here only wrapped.
            .json(bytes: ByteBuffer(bytes: self.authority.keys.jwksJSON))
        }
        table.add(.get, "/.well-known/openid-configuration", on: router) { _, _ in .json(bytes: metadata) }
        table.add(.get, "/.well-known/oauth-authorization-server", on: router) { _, _ in .json(bytes: metadata) }
    }
}
