import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A JSON response. `noStore` adds `Cache-Control: no-store` and `Pragma: no-cache`, required on
    /// every response that carries a token (RFC 6749 §5.1).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, noStore: Bool = false) -> Response {
        json(bytes: JSONBody.encode(value), status: status, noStore: noStore)
    }

    /// A JSON response from bytes already serialised (cached discovery documents, the JWKS).
    static func json(bytes: ByteBuffer, status: HTTPResponse.Status = .ok, noStore: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if noStore {
            headers[.cacheControl] = "no-store"
            headers[.pragma] = "no-cache"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
    }
}
