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
    let logger: Logger

    public init(authority: TokenAuthority, peers: PeerDirectory, logger: Logger) {
        self.authority = authority
        self.peers = peers
        self.logger = logger
    }

    /// The router with every route and the request middleware.
    public func buildRouter() -> Router<TokenRequestContext> {
        let router = Router(context: TokenRequestContext.self)
        var table = RouteTable()
        // Middleware applies to the routes added after it; the table is filled in below, before any request.
        let routes = RouteTableBox()
        router.add(middleware: RequestMiddleware(routes: routes, peers: peers, metrics: authority.metrics, logger: logger))
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
