import Foundation
import FuzzSupport
import TestSupport
import TokenCore

/// Writes the seed corpus of `fuzz-token` (`PAMTOKEN_FUZZ_WRITE_SEEDS=<dir>`): tokens signed by the
/// fuzz key — valid, expired, not yet valid, for another audience — and unsigned or re-headed forgeries
/// that reach each of the verifier's early exits. Written once and committed; signatures are
/// randomised (ECDSA), so regenerating changes the bytes, not the coverage.
struct SeedWriter {
    let keyRing: KeyRing
    let clock: ManualClock
    let policy: TokenPolicy

    func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let alice = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice"], name: nil)
        let bob = UserIdentity(user: "bob", uid: 1001, gid: 100, groups: ["users", "wheel", "docker"], name: "Bob Example")
        let session = SessionContext(sessionID: "sid-1", authTime: clock.now, authMethod: .password, clientID: "cli", scope: nil)
        let scoped = SessionContext(sessionID: "sid-2", authTime: clock.now, authMethod: .peerCredentials, clientID: "svc", scope: "read write")

        var seeds: [String: String] = [:]
        seeds["valid-alice"] = try issue(alice, session)
        seeds["valid-bob-scoped"] = try issue(bob, scoped)
        seeds["expired"] = try issue(alice, session, at: clock.now.addingTimeInterval(-3600))
        seeds["not-yet-valid"] = try issue(alice, session, at: clock.now.addingTimeInterval(3600))
        seeds["other-audience"] = try issue(alice, session, policy: TokenPolicy(issuer: policy.issuer, audiences: ["other"]))
        seeds["other-issuer"] = try issue(alice, session, policy: TokenPolicy(issuer: "https://evil.example", audiences: policy.audiences))

        let valid = seeds["valid-alice"]!.split(separator: ".").map(String.init)
        func reheaded(_ header: String, signature: String = valid[2]) -> String {
            Data(header.utf8).base64URLEncodedString() + "." + valid[1] + "." + signature
        }
        seeds["alg-none"] = reheaded(#"{"alg":"none","typ":"at+jwt","kid":"fuzz-es256"}"#, signature: "")
        seeds["alg-hs256"] = reheaded(#"{"alg":"HS256","typ":"at+jwt","kid":"fuzz-es256"}"#)
        seeds["typ-jwt"] = reheaded(#"{"alg":"ES256","typ":"JWT","kid":"fuzz-es256"}"#)
        seeds["unknown-kid"] = reheaded(#"{"alg":"ES256","typ":"at+jwt","kid":"other"}"#)
        seeds["crit"] = reheaded(#"{"alg":"ES256","typ":"at+jwt","kid":"fuzz-es256","crit":["exp"]}"#)
        seeds["refresh-token"] = "ptr_" + String(repeating: "A", count: 43)

        for (name, token) in seeds {
            try Data(token.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
    }

    private func issue(_ identity: UserIdentity, _ session: SessionContext, at date: Date? = nil, policy: TokenPolicy? = nil) throws -> String {
        let clock = ManualClock(date ?? self.clock.now)
        let issuer = TokenIssuer(policy: policy ?? self.policy, keyRing: keyRing, clock: clock)
        return try FuzzDriver.blocking { try await issuer.issue(for: identity, in: session).token }.get()
    }
}
