import HTTPTypes
import Hummingbird
import NIOCore
import TokenAuthority

extension TokenRouter {
    /// `GET /healthz` and `GET /metrics`.
    func addHealthRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.get, "/healthz", on: router) { _, _ in
            await self.authority.isHealthy() ? .json(["status": "ok"]) : .json(["status": "unavailable"], status: .serviceUnavailable)
        }
        table.add(.get, "/metrics", on: router) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: await self.authority.metricsExposition())))
        }
    }
}
