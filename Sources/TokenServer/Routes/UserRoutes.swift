import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import PamtokenWire
import TokenAuthority
import TokenCore
import TokenStore

extension TokenRouter {
    /// Bearer-protected routes for the token's own user: `/userinfo`, `/sessions`, `/auth`.
    func addUserRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.get, "/userinfo", on: router) { request, context in
            let claims = try await self.authority.authorize(authorization: request.headers[.authorization], clientTokens: true)
            context.annotations.user = claims.sub.value
            // A registered client's token says what its scope allows; the local grants' tokens say everything.
            let scopes = self.authority.clients.client(claims.clientID) == nil ? nil : Set((claims.scope ?? "").split(separator: " "))
            let allows = { (scope: Substring) in scopes?.contains(scope) ?? true }
            return .json(
                UserInfo(
                    sub: claims.sub.value, preferredUsername: allows("profile") ? claims.sub.value : nil, uid: allows("posix") ? claims.uid : nil,
                    gid: allows("posix") ? claims.gid : nil, groups: allows("groups") ? claims.groups : nil,
                    name: allows("profile") ? claims.name : nil))
        }

        table.add(.get, "/sessions", on: router) { request, context in
            let claims = try await self.authority.authorize(authorization: request.headers[.authorization])
            context.annotations.user = claims.sub.value
            let sessions = try await self.authority.activeSessions(user: claims.sub.value)
            return .json(SessionList(sessions: sessions.map { SessionInfo($0, current: $0.id == claims.sid) }))
        }

        table.add(.delete, "/sessions/{id}", on: router) { request, context in
            let claims = try await self.authority.authorize(authorization: request.headers[.authorization])
            context.annotations.user = claims.sub.value
            let id = context.parameters.get("id") ?? ""
            // Another user's session is reported exactly like a missing one (404), so ids cannot be probed.
            guard try await self.authority.revokeOwnSession(id: id, user: claims.sub.value) else { throw APIError.notFound("no such session") }
            self.logger.info("session revoked", metadata: ["user": "\(claims.sub.value)", "session": "\(id)", "via": "DELETE /sessions"])
            return Response(status: .noContent)
        }

        // docs/api.md#user-routes: forward-auth for nginx auth_request, Caddy forward_auth and Traefik ForwardAuth.
        // No database write and no PAM call: a signature check and one primary-key read.
        table.add(.get, "/auth", on: router) { request, context in
            let claims = try await self.authority.authorize(authorization: request.headers[.authorization])
            context.annotations.user = claims.sub.value
            if let group = request.uri.queryParameters.get("group"), !claims.groups.contains(group) {
                throw APIError.forbidden("not a member of the required group")
            }
            var headers = HTTPFields()
            headers[.authUser] = claims.sub.value
            headers[.authUID] = String(claims.uid)
            headers[.authGroups] = self.groupListHeader.value(for: claims.groups, user: claims.sub.value)
            return Response(status: .noContent, headers: headers)
        }
    }
}

extension HTTPField.Name {
    static let authUser = HTTPField.Name("X-Auth-User")!
    static let authUID = HTTPField.Name("X-Auth-Uid")!
    static let authGroups = HTTPField.Name("X-Auth-Groups")!
}
