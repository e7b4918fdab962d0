import Hummingbird
import PamtokenWire
import TokenAuthority

extension TokenRouter {
    /// `POST /token` — the RFC 6749 token endpoint (docs/api.md#token-endpoint).
    func addTokenRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.post, "/token", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            let peer = self.peers.peer(for: context.channel)
            let clientID = parameters["client_id"].flatMap { $0.isEmpty ? nil : $0 } ?? "pamtoken"
            guard clientID.utf8.count <= 128 else { throw APIError.invalidRequest("client_id too long") }
            let scope = parameters["scope"].flatMap { $0.isEmpty ? nil : $0 }
            guard (scope?.utf8.count ?? 0) <= 1024 else { throw APIError.invalidRequest("scope too long") }

            let grant: TokenGrant
            switch try parameters.required("grant_type") {
            case "password":
                grant = try await self.authority.passwordGrant(
                    user: try parameters.required("username"), password: try parameters.required("password"),
                    clientID: clientID, scope: scope, peer: peer)
            case "refresh_token":
                grant = try await self.authority.refreshGrant(token: try parameters.required("refresh_token"), peer: peer)
            case PeerCredentialsGrant.type:
                grant = try await self.authority.peerCredentialsGrant(clientID: clientID, scope: scope, peer: peer)
            case let other:
                throw APIError.unsupportedGrantType(other)
            }
            context.annotations.user = grant.user
            return .json(TokenResponse(grant), noStore: true)
        }
    }
}
