public import Hummingbird
public import HummingbirdCore
public import Logging

extension TokenRouter {
    /// Adapts the router to a listener, as Hummingbird's `Application.run` does for its own server: a
    /// request context per request from the channel, a `Date` header, and any error that escapes the
    /// middleware answered with 503 rather than dropped.
    public static func makeResponder(
        router: Router<TokenRequestContext>, logger: Logger, activity: Activity = Activity()
    ) -> HTTP1Channel.Responder {
        let responder = router.buildResponder()
        return { request, responseWriter, channel in
            activity.begin()
            defer { activity.end() }
            let context = TokenRequestContext(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = Response(status: .serviceUnavailable)
            }
            response.headers[.date] = HTTPDate.now
            try await responseWriter.write(response: response.head, body: response.body)
        }
    }
}
