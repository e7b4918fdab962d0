import Foundation
import PamtokenCLI
import Testing

@Suite("What 'pamtoken token' prints")
struct TokenOutputTests {
    let expiry = Date(timeIntervalSince1970: 1_800_000_123)

    private func object(_ line: String) throws -> [String: Any] {
        #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1, "one newline-terminated line")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("raw is the token and a newline, nothing else")
    func raw() throws {
        #expect(try TokenOutput.render(token: "a.b.c", expiresAt: expiry, format: .raw) == "a.b.c\n")
    }

    @Test("exec-credential is a client.authentication.k8s.io/v1 ExecCredential with an RFC 3339 UTC expiry")
    func execCredential() throws {
        let json = try object(try TokenOutput.render(token: "a.b.c", expiresAt: expiry, format: .execCredential))
        #expect(Set(json.keys) == ["apiVersion", "kind", "status"])
        #expect(json["apiVersion"] as? String == "client.authentication.k8s.io/v1")
        #expect(json["kind"] as? String == "ExecCredential")
        let status = try #require(json["status"] as? [String: Any])
        #expect(Set(status.keys) == ["token", "expirationTimestamp"])
        #expect(status["token"] as? String == "a.b.c")
        #expect(status["expirationTimestamp"] as? String == "2027-01-15T08:02:03Z")
    }

    @Test("json has access_token, expires_at (RFC 3339) and token_type")
    func json() throws {
        let json = try object(try TokenOutput.render(token: "a.b.c", expiresAt: expiry, format: .json))
        #expect(Set(json.keys) == ["access_token", "expires_at", "token_type"])
        #expect(json["access_token"] as? String == "a.b.c")
        #expect(json["expires_at"] as? String == "2027-01-15T08:02:03Z")
        #expect(json["token_type"] as? String == "Bearer")
    }

    @Test("relative times name the two largest units")
    func relative() {
        #expect(TimeFormatting.relative(290) == "in 4 min 50 s")
        #expect(TimeFormatting.relative(-7_500) == "2 h 5 min ago")
        #expect(TimeFormatting.relative(0) == "in 0 s")
        #expect(TimeFormatting.relative(604_800) == "in 7 d")
    }
}
