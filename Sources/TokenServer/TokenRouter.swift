public import Hummingbird
public import Logging
public import TokenAuthority

/// The HTTP face of pamtoken: every route of docs/api.md on a Hummingbird router, in front of the
/// ``Authority`` that applies the rules. The same router serves every listener (Unix socket, TCP,
/// systemd sockets) and the router tests.
public struct TokenRouter: Sendable {
    public let authority: Authority
    public let peers: PeerDirectory
    /// Which `Host` and `Origin` requests over TCP may carry.
    public let originPolicy: RequestOriginPolicy
    let logger: Logger
    let groupListHeader: GroupListHeader

    /// - Parameter originPolicy: defaults to the issuer's host and origin only.
    public init(authority: Authority, peers: PeerDirectory, originPolicy: RequestOriginPolicy? = nil, logger: Logger) {
        self.authority = authority
        self.peers = peers
        self.originPolicy = originPolicy ?? RequestOriginPolicy(issuer: authority.issuerURL)
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
        addRoutes(to: router, table: &table)
        routes.set(table)
        return router
    }

    /// Every route, with the method and path pattern of each (`/sessions/{id}`), as docs/api.md and
    /// docs/openapi.yaml list them: the test that keeps the three in step reads it.
    var routeList: [(method: String, path: String)] {
        var table = RouteTable()
        addRoutes(to: Router(context: TokenRequestContext.self), table: &table)
        return table.methods.flatMap { path, methods in methods.map { (method: $0.rawValue, path: path) } }
    }

    private func addRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        addTokenRoutes(to: router, table: &table)
        addOAuthRoutes(to: router, table: &table)
        addAuthorizeRoutes(to: router, table: &table)
        addConversationRoutes(to: router, table: &table)
        addEndSessionRoutes(to: router, table: &table)
        addUserRoutes(to: router, table: &table)
        addDiscoveryRoutes(to: router, table: &table)
        addHealthRoutes(to: router, table: &table)
        addTutorialRoutes(to: router, table: &table)
        addAdminRoutes(to: router, table: &table)
        addOpenAPIRoutes(to: router, table: &table)
    }
}
