public import HTTPTypes
public import Hummingbird
public import TokenAuthority

/// Every error a client can see, rendered in the shape of RFC 6749 §5.2 (`{"error","error_description"}`)
/// with the headers RFC 6750 §3 and the tutorial's clients expect. Handlers throw these; Hummingbird's
/// router turns them into responses through ``response(from:context:)``.
///
/// Descriptions are written for clients: they never contain a password, a token, or whether a user exists.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// The OAuth error code, e.g. `invalid_grant`.
    public let code: String
    public let message: String
    public var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The one mapping of the domain's failures to HTTP: RFC 6749 §5.2 codes for the token endpoint's
    /// failures, RFC 6750 §3 for Bearer ones, 429/503 with what clients need to retry.
    public init(_ failure: AuthorityFailure) {
        switch failure {
        case .invalidRequest(let message): self = .invalidRequest(message)
        case .unsupportedGrantType(let grant): self = .unsupportedGrantType(grant)
        case .invalidGrant(let message): self = .invalidGrant(message)
        case .passwordNotChanged: self = .invalidGrant(failure.description)
        case .unauthorizedClient(let message): self = .unauthorizedClient(message)
        case .invalidClient(let message): self = .invalidClient(message)
        case .tooManyAttempts(let seconds): self = .tooManyAttempts(retryAfter: seconds)
        case .invalidToken(let message, let expired): self = .invalidToken(message, expired: expired)
        case .forbidden(let message): self = .forbidden(message)
        case .notFound(let message): self = .notFound(message)
        case .temporarilyUnavailable: self = .temporarilyUnavailable
        }
    }

    // MARK: RFC 6749 §5.2 (token endpoint)

    static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static func unsupportedGrantType(_ grant: String) -> APIError {
        APIError(.badRequest, "unsupported_grant_type", "grant_type \(grant.prefix(80).debugDescription) is not supported")
    }
    static func invalidGrant(_ message: String) -> APIError { APIError(.badRequest, "invalid_grant", message) }
    static func unauthorizedClient(_ message: String) -> APIError { APIError(.badRequest, "unauthorized_client", message) }
    /// RFC 6749 §5.2: 401, with a `WWW-Authenticate` naming the scheme the client may use.
    static func invalidClient(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Basic realm=\"pamtoken\""
        return APIError(.unauthorized, "invalid_client", message, headers: headers)
    }

    /// docs/api.md#token-endpoint: throttled, PAM not called.
    static func tooManyAttempts(retryAfter seconds: Int) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(max(1, seconds))
        return APIError(.tooManyRequests, "too_many_attempts", "too many attempts; retry after \(max(1, seconds)) s", headers: headers)
    }

    // MARK: RFC 6750 §3 (Bearer routes)

    /// 401 with `WWW-Authenticate: Bearer error="invalid_token"`; expired tokens also get `IS-TOKEN-EXPIRED: true`,
    /// the header the tutorial's clients look for before refreshing.
    static func invalidToken(_ message: String, expired: Bool = false) -> APIError {
        var headers = HTTPFields()
        // RFC 6750 §3: the description is printable ASCII without '"' and '\\'. Some messages quote a
        // token's header (its alg), so anything else is replaced: it must not end the quoted string.
        let quoted = String(message.unicodeScalars.map { $0.value >= 0x20 && $0.value <= 0x7E && $0 != "\"" && $0 != "\\" ? Character($0) : "?" })
        headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\", error_description=\"\(quoted)\""
        if expired {
            headers[.isTokenExpired] = "true"
        }
        return APIError(.unauthorized, "invalid_token", message, headers: headers)
    }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static func notFound(_ message: String = "no such resource") -> APIError { APIError(.notFound, "not_found", message) }
    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(.methodNotAllowed, "method_not_allowed", "method not allowed; use \(headers[.allow] ?? "")", headers: headers)
    }
    static let payloadTooLarge = APIError(.contentTooLarge, "invalid_request", "request body larger than 16 KiB")
    /// The daemon cannot answer now (database or PAM failure). Logged in detail; the client gets no detail,
    /// but when to try again. Usually nothing was spent and the same request will do (docs/fleet.md says
    /// when a refresh may have been).
    static let temporarilyUnavailable = APIError(
        .serviceUnavailable, "temporarily_unavailable", "the service is temporarily unavailable", headers: [.retryAfter: "5"])

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
        let body = JSONBody.encode(["error": code, "error_description": message])
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension HTTPField.Name {
    /// The tutorial's signal that a Bearer token was refused only because it expired.
    static let isTokenExpired = HTTPField.Name("IS-TOKEN-EXPIRED")!
    static let pragma = HTTPField.Name("Pragma")!
}
