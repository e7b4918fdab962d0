import Foundation
import Logging
import TokenCore
import TokenStore
import JWTKit
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

extension TokenServer {
    /// `GET /healthz` and `GET /metrics`.
    func addHealthRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.get, "/healthz", on: router) { _, _ in
            do {
                try await self.authority.store.ping()
                return .json(["status": "ok"])
            } catch {
                self.logger.error("health check: database does not answer", metadata: ["error": "\(error)"])
                return .json(["status": "unavailable"], status: .serviceUnavailable)
            }
        }
        table.add(.get, "/metrics", on: router) { _, _ in
            if let counts = try? await self.authority.store.counts() {
                self.authority.metrics.activeSessions.set(Int64(counts.activeSessions))
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: self.authority.metrics.exposition())))
        }
    }
}
