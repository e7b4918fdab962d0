import Foundation
import TestSupport
import TokenCore

/// A temporary state directory, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-test-\(UUID().uuidString)").path
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Everything a token test needs: a key ring in a temp dir, an issuer and a verifier on a manual clock.
struct TokenFixture {
    let directory = TemporaryDirectory()
    let clock = ManualClock()
    let policy = TokenPolicy(issuer: "http://127.0.0.1:8719", audiences: ["pamtoken"], accessTTL: 300)
    let keyRing: KeyRing
    let issuer: TokenIssuer
    let verifier: TokenVerifier

    init(_ algorithm: SigningAlgorithm = .es256) async throws {
        keyRing = try await KeyRing.open(directory: directory.path + "/keys", algorithm: algorithm, clock: clock)
        issuer = TokenIssuer(policy: policy, keyRing: keyRing, clock: clock)
        verifier = TokenVerifier(policy: policy, keyRing: keyRing, clock: clock)
    }

    static let alice = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice", "wheel"], name: "Alice Liddell")

    func session(_ id: String = "s1") -> SessionContext {
        SessionContext(sessionID: id, authTime: clock.now, authMethod: .password, clientID: "pamtoken", scope: "read")
    }

    func issue() async throws -> TokenIssuer.Issued {
        try await issuer.issue(for: Self.alice, in: session())
    }

    func cleanUp() {
        directory.cleanUp()
    }
}

/// Builds tokens by hand, for the attacks a library must refuse.
enum ForgedToken {
    static func encode(_ json: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        return data.base64URLEncodedString()
    }

    static func decodePart(_ token: String, _ index: Int) -> [String: Any] {
        let part = token.split(separator: ".", omittingEmptySubsequences: false)[index]
        return try! JSONSerialization.jsonObject(with: Data(base64URLEncoded: part)!) as! [String: Any]
    }

    /// The same token with header or payload fields replaced, signature kept (so it no longer matches).
    static func tamper(_ token: String, header: [String: Any] = [:], payload: [String: Any] = [:]) -> String {
        var h = decodePart(token, 0)
        var p = decodePart(token, 1)
        h.merge(header) { $1 }
        p.merge(payload) { $1 }
        let signature = token.split(separator: ".", omittingEmptySubsequences: false)[2]
        return "\(encode(h)).\(encode(p)).\(signature)"
    }
}
