import Foundation
import PamtokenWire

/// The daemon's routes (docs/api.md) as typed calls over HTTP: the real ``DaemonService``. Every call
/// throws ``DaemonClientError`` (no answer), ``DaemonError`` (an error status) or ``CLIError`` (an
/// answer that is not the expected JSON).
struct DaemonAPI: DaemonService {
    let client: DaemonClient

    init(_ address: DaemonAddress) {
        client = DaemonClient(address: address)
    }

    var address: DaemonAddress { client.address }

    /// `POST /token` with `grant_type=password` (RFC 6749 §4.3).
    func passwordGrant(user: String, password: String) async throws -> TokenResponse {
        try await decode(
            TokenResponse.self,
            .post("/token", form: [("grant_type", "password"), ("username", user), ("password", password), ("client_id", "pamtoken")]))
    }

    func converse(_ form: [(String, String)]) async throws -> ConversationStep? {
        let response: DaemonResponse
        do {
            response = try await call(.post("/conversation", form: form))
        } catch let error as DaemonError where error.status == 404 || error.status == 405 {
            return nil
        }
        if let prompt = try? JSONCoding.decode(ConversationPrompt.self, from: response.bodyData) { return .prompt(prompt) }
        return .done(try Self.decode(TokenResponse.self, response, from: address))
    }

    /// `POST /token` with the peer-credential grant (docs/api.md#peer-credential-grant): no password.
    func peerCredentialsGrant() async throws -> TokenResponse {
        try await decode(
            TokenResponse.self, .post("/token", form: [("grant_type", "urn:pamtoken:params:grant-type:peercred"), ("client_id", "pamtoken")]))
    }

    /// `POST /token` with `grant_type=refresh_token` (RFC 6749 §6): the presented token is used up.
    func refreshGrant(_ refreshToken: String) async throws -> TokenResponse {
        try await decode(TokenResponse.self, .post("/token", form: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]))
    }

    /// `POST /revoke` (RFC 7009): a refresh token revokes its whole session.
    func revoke(_ token: String) async throws {
        _ = try await call(.post("/revoke", form: [("token", token)]))
    }

    func sessions(bearer: String) async throws -> (sessions: [SessionInfo], json: Data) {
        let response = try await call(.get("/sessions", bearer: bearer))
        return (try Self.decode(SessionList.self, response, from: address).sessions, response.bodyData)
    }

    /// `DELETE /sessions/{id}`: 404 for an unknown session or another user's.
    func deleteSession(id: String, bearer: String) async throws {
        _ = try await call(.delete("/sessions/" + FormEncoding.encode(id), bearer: bearer))
    }

    func userinfo(bearer: String) async throws -> UserInfo {
        try await decode(UserInfo.self, .get("/userinfo", bearer: bearer))
    }

    func metadata() async throws -> ServerMetadata {
        try await decode(ServerMetadata.self, .get("/.well-known/openid-configuration"))
    }

    func jwks() async throws -> Data {
        try await call(.get("/.well-known/jwks.json")).bodyData
    }

    // MARK: Admin routes (docs/api.md#admin-routes): Unix socket, uid 0 or the admin group.

    func adminSessions(user: String?) async throws -> (sessions: [SessionInfo], json: Data) {
        let path = user.map { "/admin/sessions?user=" + FormEncoding.encode($0) } ?? "/admin/sessions"
        let response = try await call(.get(path))
        return (try Self.decode(SessionList.self, response, from: address).sessions, response.bodyData)
    }

    func adminRevoke(user: String?, session: String?) async throws -> Int {
        var form: [(String, String)] = []
        if let user { form.append(("user", user)) }
        if let session { form.append(("session", session)) }
        return try await decode(RevokeCount.self, .post("/admin/revoke", form: form)).revoked
    }

    func adminKeys(rotate: Bool) async throws -> (list: KeyList, json: Data) {
        let response = try await call(rotate ? .post("/admin/keys/rotate", form: []) : .get("/admin/keys"))
        return (try Self.decode(KeyList.self, response, from: address), response.bodyData)
    }

    func adminGC() async throws -> (report: GarbageReport, json: Data) {
        let response = try await call(.post("/admin/gc", form: []))
        return (try Self.decode(GarbageReport.self, response, from: address), response.bodyData)
    }

    // MARK: Plumbing

    /// Sends a request; an error status becomes ``DaemonError``.
    func call(_ request: DaemonRequest) async throws -> DaemonResponse {
        let response = try await client.send(request)
        guard response.isSuccess else { throw DaemonError(response) }
        return response
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: DaemonRequest) async throws -> T {
        try Self.decode(type, try await call(request), from: address)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: DaemonResponse, from address: DaemonAddress) throws -> T {
        do {
            return try JSONCoding.decode(type, from: response.bodyData)
        } catch {
            throw DaemonClientError(.badResponse, address: address, reason: "the answer is not the JSON pamtokend sends")
        }
    }
}
