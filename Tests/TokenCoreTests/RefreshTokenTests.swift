import Foundation
import Testing
import TokenCore

@Suite("Refresh-token secrets")
struct RefreshTokenTests {
    @Test("tokens are ptr_ + 256 random bits in base64url, and all different")
    func format() {
        let tokens = (0..<1000).map { _ in RefreshToken.generate() }
        #expect(Set(tokens.map(\.value)).count == 1000)
        for token in tokens.prefix(10) {
            #expect(token.value.hasPrefix("ptr_"))
            #expect(token.value.count == 47)
            #expect(Data(base64URLEncoded: token.value.dropFirst(4))?.count == 32)
            #expect(RefreshToken(token.value) == token)
        }
    }

    @Test(
        "anything that cannot be one of ours is rejected before the database",
        arguments: [
            "", "ptr_", "ptr_short", "xyz_" + String(repeating: "A", count: 43), "ptr_" + String(repeating: "A", count: 42) + "=",
            "ptr_" + String(repeating: "+", count: 43), "eyJhbGciOiJFUzI1NiJ9.e30.sig",
        ])
    func rejectsJunk(input: String) {
        #expect(RefreshToken(input) == nil)
    }

    @Test("the stored form is a 32-byte SHA-256, and printing a token reveals nothing")
    func hashAndRedaction() {
        let token = RefreshToken.generate()
        #expect(token.hash.count == 32)
        #expect(token.hash == RefreshToken(token.value)!.hash)
        #expect(RefreshToken.generate().hash != token.hash)
        #expect("\(token)" == "ptr_(redacted)")
        #expect(!String(reflecting: token).contains(token.value.dropFirst(4)))
    }
}
