import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TokenCore

/// Two registered clients for the browser sign-in tests: a confidential one (secret `s3cret`) and a
/// public one restricted to the `developers` group and the `openid` scope.
enum TestClients {
    /// bcrypt of `s3cret` (made with `pamtokend --hash-secret`).
    static let secretHash = "$2b$10$6I41Ln3cVhIyzqUv/RcRtOHotRB/ACbFxA7lGj5zs9md9kHWacs3i"
    static let wiki = OAuthClient(
        id: "wiki", name: "Team <wiki>", redirectURIs: ["http://127.0.0.1:9000/cb", "https://wiki.example.com/cb?x=1"],
        secretHash: secretHash, postLogoutRedirectURIs: ["http://127.0.0.1:9000/bye"])
    static let board = OAuthClient(
        id: "board", redirectURIs: ["http://localhost:7000/callback"], isPublic: true, scopes: ["openid"], allowedGroups: ["developers"])
    static let all = [wiki, board]
    static let basicWiki = "Basic " + Data("wiki:s3cret".utf8).base64EncodedString()
}

/// A browser against the router: keeps cookies, follows nothing, and knows the PKCE pair it sent.
final class TestBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    let verifier = Data.random(count: 32).base64URLEncodedString()
    var challenge: String { PKCE.challenge(for: verifier) }

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    /// The query of an authorization request for `client`, with `changes` applied (nil removes).
    func authorizeQuery(client: OAuthClient = TestClients.wiki, _ changes: [String: String?] = [:]) -> String {
        var parameters: [String: String?] = [
            "response_type": "code", "client_id": client.id, "redirect_uri": client.redirectURIs[0], "scope": "openid profile groups",
            "state": "state-1", "nonce": "nonce-1", "code_challenge": challenge, "code_challenge_method": "S256",
        ]
        for (name, value) in changes { parameters[name] = value }
        return parameters.compactMap { name, value in value.map { "\(name)=\(Self.escape($0))" } }.sorted().joined(separator: "&")
    }

    func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: cookieHeader, body: nil)
        remember(response)
        return response
    }

    func post(_ uri: String, _ fields: [String: String]) async throws -> TestResponse {
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\($0.key)=\(Self.escape($0.value))" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Loads the login page for `query` and submits it with `user` and `password`.
    func signIn(_ query: String, user: String = "alice", password: String = "wonderland") async throws -> TestResponse {
        let page = try await get("/authorize?" + query)
        guard page.status == .ok, let form = LoginForm(page.text) else { throw FixtureError("no login page: \(page.status) \(page.text)") }
        return try await post("/login", ["request": form.request, "csrf": form.csrf, "username": user, "password": password])
    }

    /// Signs in (or uses the browser session) and returns the code from the redirect.
    func code(client: OAuthClient = TestClients.wiki, _ changes: [String: String?] = [:]) async throws -> String {
        let query = authorizeQuery(client: client, changes)
        var response = try await get("/authorize?" + query)
        if response.status == .ok { response = try await signIn(query) }
        guard let location = response.headers[.location], let code = Self.parameter("code", in: location) else {
            throw FixtureError("no code: \(response.status) \(response.headers[.location] ?? response.text)")
        }
        return code
    }

    /// Exchanges a code at the token endpoint as the wiki client.
    func exchange(_ code: String, verifier: String? = nil, redirectURI: String = TestClients.wiki.redirectURIs[0]) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers[.authorization] = TestClients.basicWiki
        let body = [
            "grant_type=authorization_code", "code=\(code)", "redirect_uri=\(Self.escape(redirectURI))", "code_verifier=\(verifier ?? self.verifier)",
        ].joined(separator: "&")
        return try await client.execute(uri: "/token", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    private var cookieHeader: HTTPFields {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        return headers
    }

    private func remember(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            guard let pair = line.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    static func parameter(_ name: String, in url: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The hidden fields of the login page.
struct LoginForm {
    var request: String
    var csrf: String

    init?(_ html: String) {
        guard let request = Self.value(of: "request", in: html), let csrf = Self.value(of: "csrf", in: html) else { return nil }
        self.request = request
        self.csrf = csrf
    }

    static func value(of name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return html[start.upperBound...].prefix { $0 != "\"" }.replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// The payload of a JWT, unverified (the tests check what the daemon signed, not the signature).
func jwtPayload(_ token: String) -> [String: Any] {
    let parts = token.split(separator: ".")
    guard parts.count == 3, let data = Data(base64URLEncoded: parts[1]) else { return [:] }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}
