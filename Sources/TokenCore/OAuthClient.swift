/// A relying party registered in `pamtoken.toml` (`[[clients]]`, docs/browser-sign-in.md): who may
/// ask for codes through `/authorize`, where the browser may be sent back, and how it authenticates
/// at the token endpoint.
public struct OAuthClient: Sendable, Hashable {
    /// `client_id`: letters, digits and `._~-`, at most 64.
    public var id: String
    /// What the login page calls it.
    public var name: String
    /// The only redirect URIs `/authorize` accepts, compared byte for byte (RFC 9700 §2.1: no patterns).
    public var redirectURIs: [String]
    /// A libxcrypt hash of the client secret; nil for a public client.
    public var secretHash: String?
    /// A public client has no secret and relies on PKCE alone (`token_endpoint_auth_method` `none`).
    public var isPublic: Bool
    /// The scopes it may be granted; others it asks for are left out of the grant.
    public var scopes: [String]
    /// When not empty, only members of one of these groups may sign in to it.
    public var allowedGroups: [String]
    /// Where `/end_session` may send the browser afterwards, compared byte for byte.
    public var postLogoutRedirectURIs: [String]
    /// The algorithm of its ID tokens, when it needs another than the access tokens' (some clients
    /// accept RS256 only); the key ring then keeps an active key of it too.
    public var idTokenAlgorithm: SigningAlgorithm?

    /// A registration; `name` defaults to the id, `scopes` to every supported one.
    public init(
        id: String, name: String? = nil, redirectURIs: [String], secretHash: String? = nil, isPublic: Bool = false,
        scopes: [String] = OAuthClient.supportedScopes, allowedGroups: [String] = [], postLogoutRedirectURIs: [String] = [],
        idTokenAlgorithm: SigningAlgorithm? = nil
    ) {
        self.idTokenAlgorithm = idTokenAlgorithm
        self.id = id
        self.name = name ?? id
        self.redirectURIs = redirectURIs
        self.secretHash = secretHash
        self.isPublic = isPublic
        self.scopes = scopes
        self.allowedGroups = allowedGroups
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
    }

    /// Whether `uri` is one of ``redirectURIs``, compared byte for byte: Swift's `==` compares strings by
    /// canonical equivalence, under which a Kelvin sign equals `K` (RFC 9700 §4.1.3: simple string comparison).
    public func isRegistered(redirectURI uri: String) -> Bool {
        redirectURIs.contains { $0.utf8.elementsEqual(uri.utf8) }
    }

    /// Whether `uri` is one of ``postLogoutRedirectURIs``, byte for byte.
    public func isRegistered(postLogoutRedirectURI uri: String) -> Bool {
        postLogoutRedirectURIs.contains { $0.utf8.elementsEqual(uri.utf8) }
    }

    /// The scopes pamtoken understands: `openid` (an ID token), `profile` (`preferred_username`, `name`),
    /// `groups` (`groups`) and `posix` (`uid`, `gid`).
    public static let supportedScopes = ["openid", "profile", "groups", "posix"]

    /// The client id of the browser's own sign-in session (the SSO cookie's session row).
    public static let browserSessionClientID = "pamtoken-browser"

    /// Whether `id` is a usable client id: RFC 3986 unreserved characters only, so that it needs no
    /// escaping in a URL, a form, a log line or the HTML of the login page.
    public static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "-")
            }
    }

    /// The granted scope: what was asked for, that this client may have and that pamtoken knows, in
    /// the order asked. Unknown scopes are ignored (OpenID Connect Core §3.1.2.1), not an error: many
    /// relying parties ask for `email` by default.
    public func grantedScopes(_ requested: [String]) -> [String] {
        var granted: [String] = []
        for scope in requested where scopes.contains(scope) && Self.supportedScopes.contains(scope) && !granted.contains(scope) {
            granted.append(scope)
        }
        return granted
    }
}
