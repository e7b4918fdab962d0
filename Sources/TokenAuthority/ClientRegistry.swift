import Crypto
import Foundation
import Synchronization
public import TokenCore

/// The relying parties of `[[clients]]`, and the first step of client authentication at the token
/// endpoint (RFC 6749 §2.3: `client_secret_basic`, `client_secret_post`; `none` for public clients).
///
/// Secrets are stored as libxcrypt hashes, which take tens of milliseconds to check. A secret that
/// checked out once is remembered by its SHA-256 (in memory only), so a client that exchanges codes
/// and refreshes all day pays the slow hash once; ``Authority/authenticateClient(id:secret:peer:)``
/// throttles the slow checks, so wrong secrets cannot make the daemon hash by the thousand.
public final class ClientRegistry: Sendable {
    /// Checks a secret against a stored hash: `SecretHash.verify` in the daemon.
    public typealias SecretVerifier = @Sendable (_ secret: String, _ hash: String) async -> Bool

    private let clients: [String: OAuthClient]
    /// Every client id: the audiences of the clients' access tokens, read on every `/userinfo`,
    /// `/introspect` and `/revoke`, so made once.
    public let ids: Set<String>
    private let verifySecret: SecretVerifier
    /// Per client, the SHA-256 of the secret last proven right.
    private let proven = Mutex<[String: Data]>([:])
    /// Checks under way, by client and secret: a burst of requests with one new secret hashes it once.
    private let inFlight = Mutex<[Data: Task<Result<OAuthClient, AuthorityFailure>, Never>]>([:])

    /// - Parameters:
    ///   - clients: the registrations (ids are unique: the configuration refuses duplicates).
    ///   - verifySecret: the slow check of a secret against its hash.
    public init(_ clients: [OAuthClient] = [], verifySecret: @escaping SecretVerifier = { _, _ in false }) {
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.ids = Set(self.clients.keys)
        self.verifySecret = verifySecret
    }

    /// The registered client with this id.
    public func client(_ id: String) -> OAuthClient? { clients[id] }

    /// Every registered client, by id.
    public var all: [OAuthClient] { clients.values.sorted { $0.id < $1.id } }

    /// What the credentials a caller presented amount to, as far as can be told without hashing.
    enum Check {
        /// No registered client named and no secret: a local program of the password grant.
        case unregistered
        /// A public client, or a secret proven right before.
        case authenticated(OAuthClient)
        /// Wrong on their face: a secret for a public or unknown client, none for a confidential one.
        case refused
        /// A confidential client's secret that must be hashed to be judged.
        case needsHash(OAuthClient, secret: String, hash: String)
    }

    func check(clientID: String?, secret: String?) -> Check {
        guard let clientID, let client = clients[clientID] else { return secret == nil ? .unregistered : .refused }
        if client.isPublic { return secret == nil ? .authenticated(client) : .refused }
        // A NUL would end the secret early inside crypt(3): `s3cret\0junk` must not pass for `s3cret`.
        guard let secret, let hash = client.secretHash, secret.utf8.count <= 1024, !secret.utf8.contains(0) else { return .refused }
        if let known = proven.withLock({ $0[clientID] }), ConstantTime.equal(known, Self.digest(secret)) { return .authenticated(client) }
        return .needsHash(client, secret: secret, hash: hash)
    }

    /// The slow check; a right secret is remembered.
    func verify(_ client: OAuthClient, secret: String, hash: String) async -> Bool {
        guard await verifySecret(secret, hash) else { return false }
        proven.withLock { $0[client.id] = Self.digest(secret) }
        return true
    }

    /// Runs `check` once for every concurrent caller presenting the same secret for the same client
    /// (a client's burst of refreshes just after the daemon started), so that the throttle sees one
    /// attempt and the secret is hashed once.
    func coalescing(
        _ client: OAuthClient, secret: String, _ check: @escaping @Sendable () async -> Result<OAuthClient, AuthorityFailure>
    ) async -> Result<OAuthClient, AuthorityFailure> {
        let key = Self.digest(client.id + "\u{0}" + secret)
        let (task, owner) = inFlight.withLock { running in
            if let task = running[key] { return (task, false) }
            let task = Task { await check() }
            running[key] = task
            return (task, true)
        }
        let result = await task.value
        if owner { inFlight.withLock { _ = $0.removeValue(forKey: key) } }
        return result
    }

    private static func digest(_ secret: String) -> Data { Data(SHA256.hash(data: Data(secret.utf8))) }
}
