import HTTPTypes
import Hummingbird
import OAuthBody
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// OpenID Connect RP-initiated logout (docs/api.md#end-session-endpoint): `GET /end_session` from a
    /// relying party, and `POST /end_session` from our own confirmation page.
    func addEndSessionRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        let cookies = BrowserCookies(issuer: authority.issuerURL, sessionMaxAge: Int(authority.policy.sessionMaxAge))
        let names = ["id_token_hint", "post_logout_redirect_uri", "state", "client_id"]

        table.add(.get, "/end_session", on: router) { request, _ in
            let parameters: [String: String]
            do throws(OAuthBodyError) {
                parameters = try OAuthBodyParser.form(Array((request.uri.query ?? "").utf8))
            } catch {
                return SignInPages.error("This sign-out link is not valid: a parameter is repeated or malformed.", status: .badRequest).response()
            }
            return await self.endSession(parameters, names: names, confirmed: false, cookies: cookies, request: request)
        }

        table.add(.post, "/end_session", on: router) { request, context in
            let form: RequestParameters
            switch await RequestParameters.pageForm(request, context: context) {
            case .success(let parameters): form = parameters
            case .failure(let page): return page.response()
            }
            let binding = cookies.browserSession(in: request)?.value ?? ""
            guard let csrf = form["csrf"], self.authority.isValidSignOutToken(csrf, binding: binding) else {
                return SignInPages.error("This sign-out form has expired or was not sent by this browser.", status: .badRequest).response()
            }
            var parameters: [String: String] = [:]
            for name in names { parameters[name] = form[name] }
            return await self.endSession(parameters, names: names, confirmed: true, cookies: cookies, request: request)
        }
    }

    private func endSession(
        _ parameters: [String: String], names: [String], confirmed: Bool, cookies: BrowserCookies, request: Request
    ) async -> Response {
        let secret = cookies.browserSession(in: request)
        let outcome = await authority.endSession(
            idTokenHint: parameters["id_token_hint"], browserSession: secret,
            postLogoutRedirectURI: parameters["post_logout_redirect_uri"], state: parameters["state"], clientID: parameters["client_id"],
            confirmed: confirmed)
        switch outcome {
        case .confirm:
            let kept = names.compactMap { name in parameters[name].map { (name, $0) } }
            // The form's 303 goes to the client's post-logout URI, which form-action must allow (browsers
            // apply it to redirects); only a registered one, and only its origin.
            let target = parameters["post_logout_redirect_uri"].flatMap { uri in
                parameters["client_id"].flatMap { authority.clients.client($0) }?.isRegistered(postLogoutRedirectURI: uri) == true ? uri : nil
            }
            return SignInPages.confirmSignOut(
                issuer: authority.issuerURL, csrf: authority.signOutToken(binding: secret?.value ?? ""), parameters: kept,
                formTargets: target.map { [$0] } ?? []
            ).response()
        case .signedOut(let redirect):
            var response: Response
            if let redirect {
                var headers = HTTPFields()
                headers[.location] = redirect
                headers[.cacheControl] = "no-store"
                response = Response(status: .seeOther, headers: headers)
            } else {
                response = SignInPages.signedOut().response()
            }
            response.setCookie(cookies.clearedSessionCookie())
            return response
        }
    }
}
