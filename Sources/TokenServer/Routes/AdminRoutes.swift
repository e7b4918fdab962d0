import Foundation
import Hummingbird
import Logging
import PamtokenWire
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// `/admin/…` (docs/api.md#admin-routes): on the Unix socket only, for uid 0 or members of `admin_group`.
    /// Every action is logged at warning level as a security event.
    func addAdminRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.get, "/admin/sessions", on: router) { request, context in
            _ = try await self.requireAdmin(context)
            let user = request.uri.queryParameters.get("user").flatMap { $0.isEmpty ? nil : $0 }
            let sessions = try await self.authority.activeSessions(user: user)
            return .json(SessionList(sessions: sessions.map { SessionInfo($0, current: nil) }))
        }

        table.add(.post, "/admin/revoke", on: router) { request, context in
            let admin = try await self.requireAdmin(context)
            let parameters = try await RequestParameters.decode(request, context: context)
            let revoked = try await self.authority.revokeSessions(
                user: parameters["user"].flatMap { $0.isEmpty ? nil : $0 }, session: parameters["session"].flatMap { $0.isEmpty ? nil : $0 },
                by: admin)
            self.logger.warning(
                "admin revoked sessions",
                metadata: [
                    "event": "admin_revoke", "admin": "\(admin)", "user": "\(parameters["user"] ?? "")",
                    "session": "\(parameters["session"] ?? "")", "count": "\(revoked)",
                ])
            return .json(RevokeCount(revoked: revoked))
        }

        table.add(.get, "/admin/keys", on: router) { _, context in
            _ = try await self.requireAdmin(context)
            return .json(KeyList(self.authority.keys, inFleet: self.authority.fleetKeys != nil))
        }

        table.add(.post, "/admin/keys/rotate", on: router) { _, context in
            let admin = try await self.requireAdmin(context)
            let key = try await self.authority.rotateKeys()
            self.logger.warning("admin rotated the signing key", metadata: ["event": "admin_key_rotate", "admin": "\(admin)", "kid": "\(key.kid)"])
            return .json(KeyList(self.authority.keys, inFleet: self.authority.fleetKeys != nil))
        }

        table.add(.post, "/admin/gc", on: router) { _, context in
            let admin = try await self.requireAdmin(context)
            let report = try await self.authority.collectGarbage()
            self.logger.warning(
                "admin ran garbage collection",
                metadata: ["event": "admin_gc", "admin": "\(admin)", "rows": "\(report.deletedRows)", "keys": "\(report.prunedKeys.count)"])
            return .json(report)
        }
    }

    /// The admin's description for logs ("uid 0 pid 42"), or 403.
    private func requireAdmin(_ context: TokenRequestContext) async throws(APIError) -> String {
        let peer = peers.peer(for: context.channel)
        guard case .unix(let uid, _, _) = peer else {
            throw APIError.forbidden("admin routes are served on the Unix socket only")
        }
        guard await authority.isAdmin(uid: uid) else {
            logger.warning("admin route refused", metadata: ["event": "admin_refused", "peer": "\(peer)"])
            throw APIError.forbidden("admin routes need uid 0 or membership of the admin group")
        }
        return peer.description
    }
}
