import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import TokenCore

/// A request context that can carry the caller's identity.
public protocol PAMTokenRequestContext: RequestContext {
    /// Set by ``PAMTokenMiddleware`` before the route runs.
    var identity: PAMTokenIdentity? { get set }
}

/// Hummingbird middleware: requires `Authorization: Bearer <pamtoken access token>`, puts the
/// identity in the context, and answers like the daemon does otherwise — 401 with RFC 6750's
/// `WWW-Authenticate` (plus `IS-TOKEN-EXPIRED: true` for an expired token), 403 when a required group
/// is missing, 503 when the daemon's keys cannot be loaded.
///
/// ```swift
/// let verifier = PAMTokenVerifier()   // the daemon's Unix socket
/// router.add(middleware: PAMTokenMiddleware(verifier: verifier))
/// router.get("/whoami") { _, context in context.identity!.user }
/// ```
public struct PAMTokenMiddleware<Context: PAMTokenRequestContext>: RouterMiddleware {
    let verifier: PAMTokenVerifier
    let requiredGroup: String?

    /// - Parameter requiredGroup: if set, only members of this group get through (403 otherwise).
    public init(verifier: PAMTokenVerifier, requiredGroup: String? = nil) {
        self.verifier = verifier
        self.requiredGroup = requiredGroup
    }

    /// Lets requests with a valid token (and group, when required) through with the identity in the
    /// context; answers everything else 401 or 403 the way the daemon does (RFC 6750 `WWW-Authenticate`,
    /// `IS-TOKEN-EXPIRED: true` for a token whose only fault is its age).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return Self.refusal(.unauthorized, "invalid_token", "missing bearer token")
        }
        let identity: PAMTokenIdentity
        do {
            identity = try await verifier.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } catch .invalidToken(let reason) {
            return Self.refusal(.unauthorized, "invalid_token", reason.description, expired: reason == .expired)
        } catch {
            context.logger.error("pamtoken keys unavailable", metadata: ["error": "\(error)"])
            return Self.refusal(.serviceUnavailable, "temporarily_unavailable", "cannot verify tokens right now")
        }
        if let requiredGroup, !identity.isMember(of: requiredGroup) {
            return Self.refusal(.forbidden, "forbidden", "not a member of the required group")
        }
        var context = context
        context.identity = identity
        return try await next(request, context)
    }

    static func refusal(_ status: HTTPResponse.Status, _ code: String, _ message: String, expired: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized {
            headers[.wwwAuthenticate] = "Bearer error=\"\(code)\", error_description=\"\(message)\""
            if expired { headers[HTTPField.Name("IS-TOKEN-EXPIRED")!] = "true" }
        }
        let body = (try? JSONSerialization.data(withJSONObject: ["error": code, "error_description": message], options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
