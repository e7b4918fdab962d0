import Hummingbird
import TokenAuthority

/// Applies ``RequestOriginPolicy`` to requests that arrived over TCP (the Unix socket is exempt).
/// Added after ``RequestMiddleware``, so a refusal is logged and counted like any other answer.
struct RequestOriginMiddleware: RouterMiddleware {
    typealias Context = TokenRequestContext

    let policy: RequestOriginPolicy
    let peers: PeerDirectory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if case .tcp = peers.peer(for: context.channel), let refusal = policy.refusal(of: request.head) {
            throw refusal
        }
        return try await next(request, context)
    }
}
