import Foundation
import Hummingbird
import PamtokenWire
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// `POST /token` — the RFC 6749 token endpoint (docs/api.md#token-endpoint).
    func addTokenRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.post, "/token", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            let peer = self.peers.peer(for: context.channel)
            let credentials = try ClientCredentials(authorization: request.headers[.authorization], parameters: parameters)
            let client = try await self.authority.authenticateClient(id: credentials.id, secret: credentials.secret, peer: peer)
            let clientID = credentials.id ?? "pamtoken"
            guard clientID.utf8.count <= 128 else { throw APIError.invalidRequest("client_id too long") }
            let scope = parameters["scope"].flatMap { $0.isEmpty ? nil : $0 }
            guard (scope?.utf8.count ?? 0) <= 1024 else { throw APIError.invalidRequest("scope too long") }

            let grant: TokenGrant
            let grantType = try parameters.required("grant_type")
            if let client, grantType == "password" || grantType == PeerCredentialsGrant.type {
                // Its scopes and allowed_groups are enforced on the browser path; a registered client signs users in there.
                throw APIError.unauthorizedClient("client \(client.id) is registered for browser sign-in; use /authorize")
            }
            switch grantType {
            case "password":
                grant = try await self.authority.passwordGrant(
                    user: try parameters.required("username"), password: try parameters.required("password"),
                    clientID: clientID, scope: scope, peer: peer)
            case "refresh_token":
                grant = try await self.authority.refreshGrant(token: try parameters.required("refresh_token"), client: client, peer: peer)
            case "authorization_code":
                guard let client else { throw APIError.invalidClient("the authorization_code grant needs a registered client") }
                grant = try await self.authority.authorizationCodeGrant(
                    code: try parameters.required("code"), redirectURI: try parameters.required("redirect_uri"),
                    verifier: try parameters.required("code_verifier"), client: client, peer: peer)
            case PeerCredentialsGrant.type:
                grant = try await self.authority.peerCredentialsGrant(clientID: clientID, scope: scope, peer: peer)
            case let other:
                throw APIError.unsupportedGrantType(other)
            }
            context.annotations.user = grant.user
            return .json(TokenResponse(grant), noStore: true)
        }
    }
}

/// How the caller of the token endpoint says which client it is (RFC 6749 §2.3.1): HTTP Basic with
/// the form-encoded id and secret, or `client_id` and `client_secret` in the body — never both.
struct ClientCredentials: Equatable {
    var id: String?
    var secret: String?

    init(authorization: String?, parameters: RequestParameters) throws(APIError) {
        let bodyID = parameters["client_id"].flatMap { $0.isEmpty ? nil : $0 }
        let bodySecret = parameters["client_secret"]
        guard let authorization, authorization.lowercased().hasPrefix("basic ") else {
            id = bodyID
            secret = bodySecret
            return
        }
        guard bodySecret == nil else { throw .invalidRequest("use one client authentication method, not two") }
        guard let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
            let id = Self.formDecode(text[..<colon]), let secret = Self.formDecode(text[text.index(after: colon)...]), !id.isEmpty
        else { throw .invalidClient("malformed Basic credentials") }
        guard bodyID == nil || bodyID == id else { throw .invalidRequest("client_id differs from the Basic credentials") }
        self.id = id
        self.secret = secret
    }

    /// RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined with `:` — `+` is a
    /// space, `%XX` a byte. Not the form parser: `&` and `=` are data here, not separators.
    private static func formDecode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
