import Testing

@testable import TokenServer

/// The `Host` parser behind the DNS-rebinding rule, on the spellings an attacker might try.
@Suite("Host header parsing")
struct HostParsingTests {
    @Test(
        "hosts are normalised: port, brackets, one final dot and case removed",
        arguments: [
            ("127.0.0.1", "127.0.0.1"), ("127.0.0.1:8719", "127.0.0.1"), ("LOCALHOST.", "localhost"), ("LocalHost:80", "localhost"),
            ("[::1]:8719", "::1"), ("[::1]", "::1"), ("Example.ORG.:443", "example.org"), ("host:", "host"), ("ÉCOLE.fr", "école.fr"),
        ])
    func accepted(authority: String, host: String) {
        #expect(RequestOriginPolicy.host(ofAuthority: authority) == host)
    }

    @Test(
        "anything else is refused",
        arguments: [
            "", ":80", ".", "host..", "a..b", "user@localhost", "localhost/x", "local host", "localhost:8o", "localhost:80:80",
            "[::1", "[::1]x", "[::1]:x", "a\\b", "loc[al]host", "localhost:٣",
        ])
    func refused(authority: String) {
        #expect(RequestOriginPolicy.host(ofAuthority: authority) == nil)
    }
}
