import Hummingbird

extension RequestParameters {
    /// The body of one of the daemon's own HTML forms (`POST /login`, `POST /end_session`), or the
    /// page that says why it cannot be read: a person is reading, so an error page, not JSON.
    static func pageForm(_ request: Request, context: TokenRequestContext) async -> PageForm {
        do {
            return .success(try await decode(request, context: context))
        } catch let error as APIError where error.status == .contentTooLarge {
            return .failure(SignInPages.error("The form is too large.", status: .contentTooLarge))
        } catch {
            return .failure(SignInPages.error("The form could not be read.", status: .badRequest))
        }
    }
}

/// A form's parameters, or the page to show instead.
enum PageForm {
    case success(RequestParameters)
    case failure(HTMLPage)
}
