import Foundation
import HTTPTypes
import Hummingbird
import OAuthBody
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// Browser sign-in (docs/api.md#authorization-endpoint): `GET /authorize` and the login form's
    /// `POST /login`. Both answer with HTML pages or redirects, never JSON: a person is reading.
    func addAuthorizeRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        let cookies = BrowserCookies(issuer: authority.issuerURL, sessionMaxAge: Int(authority.policy.sessionMaxAge))

        table.add(.get, "/authorize", on: router) { request, context in
            let query: AuthorizationQuery
            do throws(AuthorizationQueryError) {
                query = try AuthorizationQuery(query: Array((request.uri.query ?? "").utf8))
            } catch {
                // The parser's reason quotes a parameter name, which the link's author chose: not shown on our page.
                return SignInPages.error(
                    "This sign-in link is not valid: a parameter is missing, repeated or malformed. Go back to the application and try again.",
                    status: .badRequest
                ).response()
            }
            let peer = self.peers.peer(for: context.channel)
            let step = await self.authority.beginAuthorization(
                AuthorizationRequest(query), problem: query.problem, browserSession: cookies.browserSession(in: request), peer: peer)
            return self.render(step, cookies: cookies, request: request)
        }

        table.add(.post, "/login", on: router) { request, context in
            let form: RequestParameters
            switch await RequestParameters.pageForm(request, context: context) {
            case .success(let parameters): form = parameters
            case .failure(let page): return page.response()
            }
            guard let sealed = form["request"], let csrf = form["csrf"], !csrf.isEmpty, let binding = cookies.loginBinding(in: request),
                let pending = self.authority.openLoginRequest(sealed, csrf: csrf, binding: binding)
            else {
                return SignInPages.error(
                    "This sign-in form has expired or was not sent by this browser. Go back to the application and sign in again.",
                    status: .badRequest
                ).response()
            }
            let user = String((form["username"] ?? "").prefix(256))
            let peer = self.peers.peer(for: context.channel)
            let login = { (failure: String?) -> Response in
                let (request, csrf) = self.authority.sealLoginRequest(pending, binding: binding)
                let client = self.authority.clients.client(pending.clientID)
                return SignInPages.login(
                    issuer: self.authority.issuerURL, clientName: client?.name ?? pending.clientID, request: request, csrf: csrf,
                    username: user, failed: true, failure: failure, redirectURI: pending.redirectURI
                ).response()
            }
            do throws(AuthorityFailure) {
                let progress: ConversationProgress
                if let handle = form["conversation"] {
                    progress = try await self.authority.continueSignIn(handle, answer: form["answer"] ?? "", binding: binding, peer: peer)
                } else {
                    progress = try await self.authority.signIn(
                        user: user, password: form["password"] ?? "", for: pending, binding: binding, peer: peer)
                }
                switch progress {
                case .signedIn(let secret, let step, let signedIn):
                    context.annotations.user = signedIn
                    var response = self.render(step, cookies: cookies, request: request)
                    response.setCookie(cookies.sessionCookie(secret))
                    return response
                case .prompt(let handle, let prompt, let notes, _, let asked):
                    // The conversation's user, not the page's hidden field, which only refills the first page.
                    context.annotations.user = asked
                    let (sealed, csrf) = self.authority.sealLoginRequest(pending, binding: binding)
                    let client = self.authority.clients.client(pending.clientID)
                    return SignInPages.prompt(
                        issuer: self.authority.issuerURL, clientName: client?.name ?? pending.clientID, request: sealed, csrf: csrf,
                        conversation: handle.value, username: asked, prompt: PAMPromptView(prompt), notes: notes.map(PAMPromptView.init),
                        redirectURI: pending.redirectURI
                    ).response()
                case .granted:
                    return SignInPages.error(
                        "This sign-in request cannot be completed. Go back to the application and try again.", status: .badRequest
                    )
                    .response()
                }
            } catch .tooManyAttempts(let seconds) {
                return SignInPages.error(
                    AuthorizationRefusal.tooManyAttempts(retryAfter: seconds).description, status: .tooManyRequests, retryAfter: seconds
                )
                .response()
            } catch .invalidGrant(let message) where message == Authority.conversationEnded {
                return SignInPages.error(
                    "This sign-in form has expired or was not sent by this browser. Go back to the application and sign in again.",
                    status: .badRequest
                ).response()
            } catch .invalidGrant {
                return login(nil)
            } catch .passwordNotChanged(let said) {
                return login("Your password was not changed: \(said)")
            } catch .temporarilyUnavailable {
                return SignInPages.error(AuthorizationRefusal.unavailable.description, status: .serviceUnavailable).response()
            } catch {
                return SignInPages.error("This sign-in request cannot be completed. Go back to the application and try again.", status: .badRequest)
                    .response()
            }
        }
    }

    /// The response for a step of the flow: a login page (with a login cookie), a redirect, or an error page.
    func render(_ step: AuthorizationStep, cookies: BrowserCookies, request: Request) -> Response {
        switch step {
        case .redirect(let location):
            var headers = HTTPFields()
            headers[.location] = location
            headers[.cacheControl] = "no-store"
            headers[.referrerPolicy] = "no-referrer"
            return Response(status: .seeOther, headers: headers)
        case .login(let pending, let clientName):
            let binding = cookies.loginBinding(in: request) ?? BrowserCookies.newLoginBinding()
            let (sealed, csrf) = authority.sealLoginRequest(pending, binding: binding)
            var response = SignInPages.login(
                issuer: authority.issuerURL, clientName: clientName, request: sealed, csrf: csrf, redirectURI: pending.redirectURI
            ).response()
            response.setCookie(cookies.loginCookie(binding))
            return response
        case .refuse(let refusal):
            switch refusal {
            case .badRequest(let message): return SignInPages.error(message, status: .badRequest).response()
            case .forbidden(let message): return SignInPages.error(message, status: .forbidden).response()
            case .tooManyAttempts(let seconds):
                return SignInPages.error(refusal.description, status: .tooManyRequests, retryAfter: seconds).response()
            case .unavailable: return SignInPages.error(refusal.description, status: .serviceUnavailable).response()
            }
        }
    }
}

extension AuthorizationRequest {
    /// The domain's request from the parsed query.
    init(_ query: AuthorizationQuery) {
        self.init(
            clientID: query.clientID, redirectURI: query.redirectURI, state: query.state, nonce: query.nonce, scopes: query.scopes,
            codeChallenge: query.codeChallenge, forceLogin: query.forceLogin, noPrompt: query.noPrompt, maxAge: query.maxAge)
    }
}
