import Foundation
import TokenCore
import TokenStore
import JWTKit
import HTTPTypes
import NIOCore
public import Hummingbird
public import Logging

/// The HTTP face of pamtoken: every route of CONTRACT §3 on a Hummingbird router. The same router
/// serves every listener (Unix socket, TCP, systemd sockets) and the router tests.
public struct TokenServer: Sendable {
    /// The version reported by `--version` and in logs.
    public static let version = "0.2.0"

    public let authority: TokenAuthority
    public let peers: PeerDirectory
    /// Which `Host` and `Origin` requests over TCP may carry.
    public let originPolicy: RequestOriginPolicy
    let logger: Logger
    let groupListHeader: GroupListHeader

    /// - Parameter originPolicy: defaults to the issuer's host and origin only.
    public init(authority: TokenAuthority, peers: PeerDirectory, originPolicy: RequestOriginPolicy? = nil, logger: Logger) {
        self.authority = authority
        self.peers = peers
        self.originPolicy = originPolicy ?? RequestOriginPolicy(issuer: authority.policy.issuer)
        self.logger = logger
        self.groupListHeader = GroupListHeader(logger: logger)
    }

    /// The router with every route and the request middleware.
    public func buildRouter() -> Router<TokenRequestContext> {
        let router = Router(context: TokenRequestContext.self)
        var table = RouteTable()
        // Middleware applies to the routes added after it; the table is filled in below, before any request.
        let routes = RouteTableBox()
        router.add(middleware: RequestMiddleware(routes: routes, peers: peers, metrics: authority.metrics, logger: logger))
        router.add(middleware: RequestOriginMiddleware(policy: originPolicy, peers: peers))
        addTokenRoutes(to: router, table: &table)
        addOAuthRoutes(to: router, table: &table)
        addUserRoutes(to: router, table: &table)
        addDiscoveryRoutes(to: router, table: &table)
        addHealthRoutes(to: router, table: &table)
        addTutorialRoutes(to: router, table: &table)
        addAdminRoutes(to: router, table: &table)
        addOpenAPIRoutes(to: router, table: &table)
        routes.set(table)
        return router
    }
}
