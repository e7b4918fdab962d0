import Foundation
import Hummingbird
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// `POST /revoke` (RFC 7009) and `POST /introspect` (RFC 7662).
    func addOAuthRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.post, "/revoke", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            try await self.authority.revoke(token: try parameters.required("token"), peer: self.peers.peer(for: context.channel))
            // RFC 7009 §2.2: 200 whether or not the token was valid.
            return .json([String: String](), noStore: true)
        }
        table.add(.post, "/introspect", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            return .json(try await self.authority.introspect(token: try parameters.required("token")), noStore: true)
        }
    }
}
