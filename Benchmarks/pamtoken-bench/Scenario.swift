import PamtokenCLI
import PamtokenWire

/// What a connection of the load generator sends, request after request.
enum Scenario: String, CaseIterable, Sendable {
    /// `POST /token` grant_type=password (PAM authenticate + account, sign, new session).
    case password
    /// `POST /token` grant_type=refresh_token; each connection follows its own rotation chain.
    case refresh
    /// `POST /introspect` with an access token.
    case introspect
    /// `GET /userinfo` with `Authorization: Bearer`.
    case userinfo
    /// `GET /.well-known/jwks.json`.
    case jwks
    /// The tutorial's `POST /api/users/authenticate` with `{"Name":…,"Password":…}`.
    case tutorial
    /// `GET /healthz`: the floor of the HTTP stack itself.
    case healthz
}

/// Credentials and the request bytes of each scenario.
struct RequestFactory: Sendable {
    let user: String
    let password: String

    // localhost: on TCP the daemon answers only loopback names (its DNS-rebinding defence), and any on the socket.
    static func request(_ method: String, _ path: String, headers: [String] = [], body: String? = nil) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n"
        for header in headers { text += header + "\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n"
        if let body { text += body }
        return Array(text.utf8)
    }

    static func form(_ path: String, _ body: String) -> [UInt8] {
        request("POST", path, headers: ["Content-Type: application/x-www-form-urlencoded"], body: body)
    }

    var passwordGrant: [UInt8] {
        Self.form("/token", "grant_type=password&username=\(FormEncoding.encode(user))&password=\(FormEncoding.encode(password))&client_id=bench")
    }

    func refreshGrant(_ refreshToken: String) -> [UInt8] {
        Self.form("/token", "grant_type=refresh_token&refresh_token=\(refreshToken)&client_id=bench")
    }

    func introspect(_ accessToken: String) -> [UInt8] { Self.form("/introspect", "token=\(accessToken)") }

    func userinfo(_ accessToken: String) -> [UInt8] {
        Self.request("GET", "/userinfo", headers: ["Authorization: Bearer \(accessToken)"])
    }

    static let jwks = request("GET", "/.well-known/jwks.json")
    static let healthz = request("GET", "/healthz")

    var tutorial: [UInt8] {
        Self.request(
            "POST", "/api/users/authenticate", headers: ["Content-Type: application/json"],
            body: #"{"Name":"\#(user)","Password":"\#(password)"}"#)
    }

    /// The value of a string member of a JSON object, found without a JSON parser (the generator's
    /// CPU is the daemon's CPU too); enough for the daemon's own flat token responses.
    static func member(_ name: String, in body: [UInt8]) -> String? {
        let needle = Array("\"\(name)\":\"".utf8)
        guard body.count > needle.count else { return nil }
        var index = 0
        while index + needle.count <= body.count {
            if body[index] == needle[0] && body[index..<(index + needle.count)].elementsEqual(needle) {
                let valueStart = index + needle.count
                guard let valueEnd = body[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: body[valueStart..<valueEnd], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}
