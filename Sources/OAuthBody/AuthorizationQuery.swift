/// The query of `GET /authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1), read
/// from the raw bytes of the URL's query.
///
/// Two kinds of fault are told apart, as RFC 6749 §4.1.2.1 requires: without a usable `client_id` and
/// `redirect_uri` the error is shown to the user and the browser is never redirected (the parse
/// throws); with them, any other fault is recorded in ``problem`` and reported to the client at its
/// redirect URI — once the authority has checked that URI is registered.
public struct AuthorizationQuery: Sendable, Equatable {
    /// `client_id`, as sent: checked against the registrations by the authority, not here.
    public var clientID: String
    /// `redirect_uri`, as sent: it must equal a registered one byte for byte before anything is sent there.
    public var redirectURI: String
    /// Returned untouched to the client (its CSRF protection).
    public var state: String?
    /// Put into the ID token (its replay protection).
    public var nonce: String?
    /// The requested scopes, in order.
    public var scopes: [String]
    /// The S256 PKCE challenge.
    public var codeChallenge: String
    /// `prompt=login`: ask for the password even with a live browser session.
    public var forceLogin: Bool
    /// `prompt=none`: never show a page; fail with `login_required` instead.
    public var noPrompt: Bool
    /// `max_age`: the longest time since the password was typed that the client accepts.
    public var maxAge: Int?
    /// The first fault to report at the redirect URI: an RFC 6749 §4.1.2.1 error code and a description.
    public var problem: (code: String, description: String)?

    /// Parses the query bytes (percent-encoded, `&`-separated).
    /// - Throws: ``AuthorizationQueryError`` when the request cannot be sent back to a client.
    public init(query: [UInt8]) throws(AuthorizationQueryError) {
        let values: [String: String]
        do {
            values = try OAuthBodyParser.form(query)
        } catch {
            throw .unusable(error.description)
        }
        try self.init(parameters: values)
    }

    /// Reads parameters already split (the login form carries them sealed).
    public init(parameters values: [String: String]) throws(AuthorizationQueryError) {
        guard let clientID = values["client_id"], !clientID.isEmpty else { throw .unusable("missing parameter client_id") }
        guard let redirectURI = values["redirect_uri"], !redirectURI.isEmpty else { throw .unusable("missing parameter redirect_uri") }
        guard clientID.utf8.count <= 128, redirectURI.utf8.count <= 2048 else { throw .unusable("client_id or redirect_uri too long") }
        self.clientID = clientID
        self.redirectURI = redirectURI
        state = values["state"]
        nonce = values["nonce"]
        scopes = (values["scope"] ?? "").split(separator: " ").map(String.init)
        codeChallenge = values["code_challenge"] ?? ""
        let prompts = Set((values["prompt"] ?? "").split(separator: " ").map(String.init))
        forceLogin = prompts.contains("login")
        noPrompt = prompts.contains("none")
        maxAge = nil
        problem = Self.firstProblem(values, prompts: prompts)
        if problem == nil, let text = values["max_age"] { maxAge = Int(text) }
    }

    private static func firstProblem(_ values: [String: String], prompts: Set<String>) -> (code: String, description: String)? {
        for (name, limit) in [("state", 1024), ("nonce", 512), ("scope", 1024), ("prompt", 128), ("max_age", 12)] {
            if let value = values[name], value.utf8.count > limit { return ("invalid_request", "\(name) longer than \(limit) bytes") }
        }
        if values["request"] != nil { return ("request_not_supported", "request objects are not supported") }
        if values["request_uri"] != nil { return ("request_uri_not_supported", "request_uri is not supported") }
        guard let responseType = values["response_type"], !responseType.isEmpty else {
            return ("invalid_request", "missing parameter response_type")
        }
        guard responseType == "code" else { return ("unsupported_response_type", "only response_type=code is supported") }
        if let mode = values["response_mode"], mode != "query" { return ("invalid_request", "only response_mode=query is supported") }
        guard let challenge = values["code_challenge"], !challenge.isEmpty else {
            return ("invalid_request", "code_challenge is required (PKCE with S256)")
        }
        guard values["code_challenge_method"] == "S256" else { return ("invalid_request", "code_challenge_method must be S256") }
        guard challenge.utf8.count == 43, challenge.utf8.allSatisfy(isBase64URL) else {
            return ("invalid_request", "code_challenge is not an S256 challenge (43 base64url characters)")
        }
        if prompts.contains("none") && prompts.count > 1 { return ("invalid_request", "prompt=none cannot be combined with other values") }
        if let text = values["max_age"], text.isEmpty || !text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) || Int(text) == nil {
            return ("invalid_request", "max_age must be a non-negative integer")
        }
        return nil
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// Equal when every parameter and the recorded problem are (a tuple cannot be synthesized).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.clientID == rhs.clientID && lhs.redirectURI == rhs.redirectURI && lhs.state == rhs.state && lhs.nonce == rhs.nonce
            && lhs.scopes == rhs.scopes && lhs.codeChallenge == rhs.codeChallenge && lhs.forceLogin == rhs.forceLogin
            && lhs.noPrompt == rhs.noPrompt && lhs.maxAge == rhs.maxAge && lhs.problem?.code == rhs.problem?.code
            && lhs.problem?.description == rhs.problem?.description
    }
}

/// Why an authorization request cannot even be answered at a redirect URI: the user sees this, the
/// client does not. The message never quotes a value.
public enum AuthorizationQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unusable(String)

    public var description: String {
        switch self {
        case .unusable(let message): message
        }
    }
}
