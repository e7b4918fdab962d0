import HTTPTypes
import Hummingbird
import NIOCore

extension TokenRouter {
    /// `GET /openapi.yaml`: the OpenAPI 3.1 description of every route, `docs/openapi.yaml` as compiled in
    /// by `scripts/embed-openapi` (the daemon never looks for the file at run time).
    func addOpenAPIRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        let document = ByteBuffer(string: OpenAPIDocument.yaml)
        table.add(.get, "/openapi.yaml", on: router) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
        }
    }
}
