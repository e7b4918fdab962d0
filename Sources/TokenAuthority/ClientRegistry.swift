import Crypto
public import Foundation
import Synchronization
public import TokenCore

/// The relying parties of `[[clients]]`, and client authentication at the token endpoint
/// (RFC 6749 §2.3: `client_secret_basic`, `client_secret_post`; `none` for public clients).
///
/// Secrets are stored as libxcrypt hashes, which take tens of milliseconds to check. A secret that
/// checked out once is remembered by its SHA-256 (in memory only), so a client that exchanges codes
/// and refreshes all day pays the slow hash once and the daemon cannot be made to hash by the thousand.
public final class ClientRegistry: Sendable {
    /// Checks a secret against a stored hash: `SecretHash.verify` in the daemon.
    public typealias SecretVerifier = @Sendable (_ secret: String, _ hash: String) async -> Bool

    private let clients: [String: OAuthClient]
    private let verifySecret: SecretVerifier
    /// Per client, the SHA-256 of the secret last proven right.
    private let proven = Mutex<[String: Data]>([:])

    public init(_ clients: [OAuthClient] = [], verifySecret: @escaping SecretVerifier = { _, _ in false }) {
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.verifySecret = verifySecret
    }

    /// Whether any client is registered (else `/authorize` has nobody to serve).
    public var isEmpty: Bool { clients.isEmpty }

    /// The registered client with this id.
    public func client(_ id: String) -> OAuthClient? { clients[id] }

    /// Every registered client, by id.
    public var all: [OAuthClient] { clients.values.sorted { $0.id < $1.id } }

    /// Authenticates the caller of the token endpoint.
    ///
    /// - Returns: the client, when `clientID` names a registered one and the secret is right (or it is
    ///   public and no secret was sent); nil when `clientID` is not a registered client and no secret
    ///   was sent — a local program of the password grant, as before clients existed.
    /// - Throws: `invalidClient` for a wrong or missing secret, or a secret for an unknown client.
    public func authenticate(clientID: String?, secret: String?) async throws(AuthorityFailure) -> OAuthClient? {
        guard let clientID, let client = clients[clientID] else {
            if secret != nil { throw .invalidClient("client authentication failed") }
            return nil
        }
        if client.isPublic {
            guard secret == nil else { throw .invalidClient("client authentication failed") }
            return client
        }
        guard let secret, let hash = client.secretHash, secret.utf8.count <= 1024 else {
            throw .invalidClient("client authentication failed")
        }
        let digest = Data(SHA256.hash(data: Data(secret.utf8)))
        if let known = proven.withLock({ $0[clientID] }), ConstantTime.equal(known, digest) { return client }
        guard await verifySecret(secret, hash) else { throw .invalidClient("client authentication failed") }
        proven.withLock { $0[clientID] = digest }
        return client
    }

}
