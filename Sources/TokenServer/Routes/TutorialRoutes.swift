import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import PamtokenWire
import TokenAuthority
import TokenCore
import TokenStore

extension TokenRouter {
    /// The classic ASP.NET Core tutorial's routes (docs/api.md#tutorial-routes), for clients written against it: the
    /// same logins, rotation and reuse rules, in its JSON field names and plain-text 401 bodies.
    func addTutorialRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.post, "/api/users/authenticate", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            guard let name = parameters["Name"], let password = parameters["Password"], !name.isEmpty, !password.isEmpty else {
                return Self.tutorialRefusal("Incorrect username or password!")
            }
            do {
                let grant = try await self.authority.passwordGrant(
                    user: name, password: password, clientID: "tutorial", scope: nil, peer: self.peers.peer(for: context.channel))
                return .json(TutorialTokens(accessToken: grant.accessToken, refreshToken: grant.refreshToken), noStore: true)
            } catch let error as AuthorityFailure where error.isTransient {
                throw error
            } catch {
                return Self.tutorialRefusal("Incorrect username or password!")
            }
        }

        table.add(.post, "/api/users/refresh", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            guard let access = parameters["Access_Token"], let refresh = parameters["Refresh_Token"],
                let claims = await self.authority.claimsAcceptingExpiry(of: access),
                let session = try await self.authority.session(presenting: refresh),
                session.user == claims.sub.value
            else { return Self.tutorialRefusal("Invalid attempt!") }
            do {
                let grant = try await self.authority.refreshGrant(token: refresh, peer: self.peers.peer(for: context.channel))
                return .json(TutorialTokens(accessToken: grant.accessToken, refreshToken: grant.refreshToken), noStore: true)
            } catch let error as AuthorityFailure where error.isTransient {
                throw error
            } catch {
                return Self.tutorialRefusal("Invalid attempt!")
            }
        }
    }

    /// The tutorial answers 401 with a bare sentence as the body.
    private static func tutorialRefusal(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
