import Foundation
import FuzzSupport
import TestSupport
import TokenCore

/// libFuzzer target: an access token as sent in `Authorization: Bearer …`, through ``TokenVerifier``
/// (our header checks, then jwt-kit's parser and signature check, then the claims).
///
/// The verifier uses a fixed ES256 key (below; it protects nothing) and a fixed clock, so the seed
/// corpus in `Fuzz/Corpus/fuzz-token` holds tokens that really verify and the fuzzer explores from
/// inside the signature check, not only from its door. Properties beyond "no crash":
/// - an accepted token also passes an independent check of RFC 8725 / RFC 9068 written here with
///   `JSONSerialization` (algorithm, `typ`, `kid`, `iss`, `aud`, `exp`, `nbf`, `iat`);
/// - accepting expired tokens changes only the `exp` rule: strict acceptance implies lenient
///   acceptance with the same claims, and `expired` from the strict check implies lenient acceptance;
/// - a refusal's message is a bounded sentence (it reaches logs and `WWW-Authenticate`);
/// - the daemon's ``VerificationCache`` never changes an answer, cold or warm.
@main
enum Main {
    static func main() {
        _ = Harness.shared  // key ring, verifier and (if asked) the seed corpus, before the first input
        FuzzDriver.run(fuzzToken)
    }
}

// Also exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzToken(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let token = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    let harness = Harness.shared
    let strict = harness.verify(token, acceptingExpired: false)
    let lenient = harness.verify(token, acceptingExpired: true)
    // The daemon's verifier remembers signatures: with its cache (now warm for this token, twice over),
    // the answer must be exactly the uncached one.
    for _ in 0..<2 {
        let cached = harness.verify(token, acceptingExpired: false, cached: true)
        precondition(cached == strict, "the verification cache changed an answer")
    }
    switch (strict, lenient) {
    case (.success(let claims), .success(let lenientClaims)):
        precondition(claims == lenientClaims, "acceptingExpired changed the claims")
        precondition(Harness.independentlyValid(token), "the verifier accepted a token that breaks a rule")
    case (.success, .failure):
        preconditionFailure("a token valid under the strict check failed the lenient one")
    case (.failure(.expired), .failure(let error)):
        preconditionFailure("expired under the strict check but \(error) under the lenient one")
    case (.failure(let error), _):
        // Errors reach logs and WWW-Authenticate: a fixed sentence, never more than a short prefix of input.
        precondition(!error.description.isEmpty && error.description.utf8.count <= 100, "a token error echoes its input")
    }
    return 0
}

/// The key ring, verifier and clock every input is checked against, built once per process.
struct Harness: Sendable {
    static let shared = Harness.make()

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let policy = TokenPolicy(issuer: "https://pamtoken.fuzz", audiences: ["pamtoken", "fuzz"])
    static let kid = "fuzz-es256"
    /// A P-256 key that exists only for this fuzzer, in the ``KeyRing``'s file format.
    static let keyFile = #"""
        {"alg":"ES256","created_at":1790000000,"kid":"fuzz-es256","private_key":"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYSds6/WivvPawkNp\nr8BhbaHP7n801bI6VRHD4EsgBAShRANCAAR+oqPZYgORY4yGwoHg0bsquU+BTP/j\nrYOzItgoP4gcN5FO6GKL4ybz+ofAtGnbxftW824SQ3PlTteXjMjUqpnP\n-----END PRIVATE KEY-----\n"}
        """#

    let verifier: TokenVerifier
    let cachedVerifier: TokenVerifier

    func verify(_ token: String, acceptingExpired: Bool, cached: Bool = false) -> Result<AccessTokenClaims, TokenError> {
        let verifier = cached ? cachedVerifier : verifier
        return FuzzDriver.blocking { () async -> Result<AccessTokenClaims, TokenError> in
            do throws(TokenError) {
                return .success(try await verifier.verify(token, acceptingExpired: acceptingExpired))
            } catch {
                return .failure(error)
            }
        }
    }

    private static func make() -> Harness {
        let directory = NSTemporaryDirectory() + "pamtoken-fuzz-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = "\(directory)/\(kid).json"
            guard FileManager.default.createFile(atPath: path, contents: Data(keyFile.utf8), attributes: [.posixPermissions: 0o600]) else {
                fatalError("cannot write the fuzz key to \(path)")
            }
            let clock = ManualClock(now)
            let keyRing = try FuzzDriver.blocking { try await KeyRing.open(directory: directory, algorithm: .es256, clock: clock) }.get()
            try? FileManager.default.removeItem(atPath: directory)
            precondition(keyRing.current.active.kid == kid, "the fuzz key did not load")
            if let seeds = ProcessInfo.processInfo.environment["PAMTOKEN_FUZZ_WRITE_SEEDS"] {
                try SeedWriter(keyRing: keyRing, clock: clock, policy: policy).write(to: seeds)
            }
            return Harness(
                verifier: TokenVerifier(policy: policy, keyRing: keyRing, clock: clock),
                cachedVerifier: TokenVerifier(policy: policy, keyRing: keyRing, clock: clock, cache: VerificationCache(capacity: 64)))
        } catch {
            fatalError("fuzz harness setup failed: \(error)")
        }
    }

    /// RFC 8725 §3.1 / RFC 9068 §4 again, from the raw JSON, without jwt-kit or ``TokenVerifier``.
    static func independentlyValid(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let header = Data(base64URLEncoded: parts[0]).flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }),
            let payload = Data(base64URLEncoded: parts[1]).flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        else { return false }
        let typ = (header["typ"] as? String)?.lowercased()
        let audiences = (payload["aud"] as? [String]) ?? [payload["aud"] as? String].compactMap { $0 }
        let seconds = now.timeIntervalSince1970
        func time(_ name: String) -> Double? { (payload[name] as? NSNumber)?.doubleValue }
        return header["alg"] as? String == "ES256" && (typ == "at+jwt" || typ == "application/at+jwt")
            && header["kid"] as? String == kid && header["crit"] == nil
            && payload["iss"] as? String == policy.issuer && audiences.contains(where: policy.audiences.contains)
            && time("exp").map { $0 > seconds } == true
            && time("nbf").map { $0 <= seconds + policy.leeway } == true
            && time("iat").map { $0 <= seconds + policy.leeway } == true
    }
}
