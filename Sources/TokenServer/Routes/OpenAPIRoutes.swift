import HTTPTypes
import Hummingbird
import NIOCore

extension TokenRouter {
    /// `GET /openapi.yaml`: the OpenAPI 3.1 description of every route, `docs/openapi.yaml` as SwiftPM
    /// compiled it in (a resource embedded in code: the daemon never looks for the file at run time).
    func addOpenAPIRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        let document = ByteBuffer(bytes: PackageResources.openapi_yaml)
        table.add(.get, "/openapi.yaml", on: router) { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
        }
    }
}
