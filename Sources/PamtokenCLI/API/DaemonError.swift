import Foundation
import PamtokenWire

/// The daemon answered, with an error status and (usually) an RFC 6749 §5.2 body.
public struct DaemonError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// The OAuth error code, e.g. `invalid_grant`, when the body had one.
    public var code: String?
    /// The daemon's `error_description`, written for clients (never secret).
    public var detail: String?
    /// `Retry-After` seconds on 429 (docs/api.md#token-endpoint).
    public var retryAfter: Int?

    public init(status: Int, code: String?, detail: String?, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.retryAfter = retryAfter
    }

    init(_ response: DaemonResponse) {
        let body = try? JSONCoding.decode(OAuthErrorBody.self, from: response.bodyData)
        self.init(
            status: response.status, code: body?.error, detail: body?.errorDescription.map { String($0.prefix(300)) },
            retryAfter: response.header("Retry-After").flatMap { Int($0.trimmingWhitespace()) })
    }

    /// What the daemon said, in one line.
    public var description: String {
        if status == 429 {
            return "too many failed attempts; try again in \(retryAfter ?? 1) s"
        }
        let said = detail ?? code ?? "HTTP status \(status)"
        return "pamtokend refused the request (\(status)): \(said)"
    }

    public var isInvalidGrant: Bool { code == "invalid_grant" }
}
