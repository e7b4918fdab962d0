/// Why a request body is not a valid set of OAuth parameters. Every case is the client's fault and
/// becomes `invalid_request`; the messages never quote a value, only (a prefix of) a parameter name.
public enum OAuthBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `name=value&…` with valid percent-escapes and UTF-8, or an empty name.
    case malformedForm
    /// RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
    case repeated(String)
    /// The JSON body is not a single object.
    case notJSONObject
    /// A JSON member is an object or an array.
    case notAString(String)

    public var description: String {
        switch self {
        case .malformedForm: "malformed form body"
        case .repeated(let name): "parameter \(name.prefix(64)) is repeated"
        case .notJSONObject: "the body is not a JSON object"
        case .notAString(let name): "parameter \(name.prefix(64)) must be a string"
        }
    }
}
