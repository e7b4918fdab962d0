public import Foundation
public import PamtokenWire

/// What the CLI asks of `pamtokend`, one method per route it uses. A protocol so that commands take
/// their client from the ``CLIContext`` (as swiftly hides its platform behind a protocol), and tests
/// run a command against a scripted daemon instead of a live one.
public protocol DaemonService: Sendable {
    /// Where this client sends its requests; also names the session file.
    var address: DaemonAddress { get }
    func passwordGrant(user: String, password: String) async throws -> TokenResponse
    /// `POST /conversation`: starts a login (`username`) or answers its last prompt (`conversation`,
    /// `answer`). nil when the daemon has no such endpoint (an older daemon).
    func converse(_ form: [(String, String)]) async throws -> ConversationStep?
    /// The peer-credential grant: a token for the uid the kernel reports for this process (Unix socket only).
    func peerCredentialsGrant() async throws -> TokenResponse
    func refreshGrant(_ refreshToken: String) async throws -> TokenResponse
    func revoke(_ token: String) async throws
    /// The token user's sessions, decoded and as the daemon sent them (for `--json`).
    func sessions(bearer: String) async throws -> (sessions: [SessionInfo], json: Data)
    func deleteSession(id: String, bearer: String) async throws
    /// `GET /userinfo`: whether the session of `bearer` is still live, as the daemon sees it now.
    func userinfo(bearer: String) async throws -> UserInfo
    func metadata() async throws -> ServerMetadata
    /// The JWKS document, as sent.
    func jwks() async throws -> Data
    func adminSessions(user: String?) async throws -> (sessions: [SessionInfo], json: Data)
    func adminRevoke(user: String?, session: String?) async throws -> Int
    func adminKeys(rotate: Bool) async throws -> (list: KeyList, json: Data)
    func adminGC() async throws -> (report: GarbageReport, json: Data)
}

/// What `POST /conversation` answered: the next prompt, or the tokens.
public enum ConversationStep: Sendable {
    case prompt(ConversationPrompt)
    case done(TokenResponse)
}

extension DaemonService {
    /// A daemon without conversations: callers fall back to the password grant.
    public func converse(_ form: [(String, String)]) async throws -> ConversationStep? { nil }
}
