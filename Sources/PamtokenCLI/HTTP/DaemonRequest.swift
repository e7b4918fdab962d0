import PamtokenWire

/// One HTTP/1.1 request to the daemon. Always `Connection: close` with a `Content-Length` body, so
/// the response ends at end-of-file and the client needs no connection management.
public struct DaemonRequest: Sendable, Equatable {
    public var method: String
    /// The path and query, e.g. `/admin/sessions?user=alice`.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    public static func get(_ path: String, bearer: String? = nil) -> DaemonRequest {
        DaemonRequest(method: "GET", path: path).authorized(bearer)
    }

    public static func delete(_ path: String, bearer: String? = nil) -> DaemonRequest {
        DaemonRequest(method: "DELETE", path: path).authorized(bearer)
    }

    /// An `application/x-www-form-urlencoded` POST, the encoding RFC 6749 §4.3.2 and RFC 7009 §2.1 specify.
    public static func post(_ path: String, form: [(String, String)], bearer: String? = nil) -> DaemonRequest {
        let body = form.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        return DaemonRequest(
            method: "POST", path: path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8)
        ).authorized(bearer)
    }

    private func authorized(_ bearer: String?) -> DaemonRequest {
        guard let bearer else { return self }
        var copy = self
        copy.headers.append(("Authorization", "Bearer \(bearer)"))
        return copy
    }

    /// The bytes on the wire. `Host` is required by HTTP/1.1 (RFC 9112 §3.2) even on a Unix socket.
    func serialized(host: String, pathPrefix: String = "") -> [UInt8] {
        var head = "\(method) \(pathPrefix)\(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        head += "User-Agent: pamtoken/\(PamtokenCommand.version)\r\nAccept: application/json\r\n"
        for header in headers {
            head += "\(header.name): \(header.value)\r\n"
        }
        if !body.isEmpty || method == "POST" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    public static func == (lhs: DaemonRequest, rhs: DaemonRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
