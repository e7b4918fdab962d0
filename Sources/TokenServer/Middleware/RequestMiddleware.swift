import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import TokenAuthority

/// Wraps every request: turns framework errors (unknown path, wrong method, body too large) into the
/// contract's JSON errors, never lets an unexpected error become a 500 with details, counts the request
/// for `/metrics`, and writes the one access-log line per request (route, status, duration,
/// user where known, peer). The line never holds a header value, a body, or a query string.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = TokenRequestContext

    let routes: RouteTableBox
    let peers: PeerDirectory
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let failure as AuthorityFailure {
            response = try APIError(failure).response(from: request, context: context)
        } catch let error as HTTPError {
            response = try shape(error, request: request).response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            response = try APIError.payloadTooLarge.response(from: request, context: context)
        } catch is HTTPParserError {
            // The body's framing was broken (a bad chunk size, a body cut short): the client's fault,
            // and the connection cannot be trusted to carry another request.
            response = try APIError.invalidRequest("malformed request").response(from: request, context: context)
            response.headers[.connection] = "close"
        } catch {
            logger.error("unhandled error", metadata: ["route": "\(request.uri.path)", "error": "\(type(of: error))"])
            response = try APIError.temporarilyUnavailable.response(from: request, context: context)
        }
        // The route pattern ("/sessions/{id}"), never the raw path: bounded label values, no ids in logs.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let duration = ContinuousClock.now - start
        metrics.request(route: route, status: Int(response.status.code), duration: duration)
        // The access line is built only when it will be written: formatting the duration and looking up
        // the peer cost more than a small route itself (see docs/BENCHMARKS.md).
        if logger.logLevel <= .info {
            let elapsed = duration.components
            let milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
            var metadata: Logger.Metadata = [
                "method": "\(request.method.rawValue)", "route": "\(route)", "status": .stringConvertible(Int(response.status.code)),
                "duration_ms": .stringConvertible((milliseconds * 100).rounded() / 100), "peer": "\(peers.peer(for: context.channel))",
            ]
            if let user = context.annotations.user {
                metadata["user"] = "\(user)"
            }
            logger.info("request", metadata: metadata)
        }
        return response
    }

    /// 404 becomes 405 when the path exists with other methods; everything gets the JSON error body.
    private func shape(_ error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            if let allowed = routes.allowedMethods(for: request.uri.path) {
                return .methodNotAllowed(allowed: allowed)
            }
            return .notFound()
        case .contentTooLarge:
            return .payloadTooLarge
        case .badRequest:
            return .invalidRequest("malformed request")
        default:
            return APIError(error.status, "invalid_request", error.status.reasonPhrase)
        }
    }
}
