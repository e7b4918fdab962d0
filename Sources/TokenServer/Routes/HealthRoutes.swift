import HTTPTypes
import Hummingbird
import NIOCore
import TokenAuthority

extension TokenRouter {
    /// `GET /healthz` and `GET /metrics`.
    func addHealthRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.get, "/healthz", on: router) { _, _ in
            // Which dependency is down, for a load balancer's log and the person reading it: the store
            // (SQLite, or the PostgreSQL a fleet shares) is the only one a request cannot do without.
            await self.authority.isHealthy()
                ? .json(["status": "ok"]) : .json(HealthReport(status: "unavailable", down: ["store"]), status: .serviceUnavailable)
        }
        table.add(.get, "/metrics", on: router) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: await self.authority.metricsExposition())))
        }
    }
}

/// `GET /healthz`'s answer when something is down.
struct HealthReport: Encodable {
    var status: String
    var down: [String]
}
