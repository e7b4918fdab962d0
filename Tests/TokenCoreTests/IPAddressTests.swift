import Testing
import TokenCore

/// The one loopback rule, used by `listen` validation, socket activation, the Host check, the
/// throttle's peer keys, the CLI and the relying-party library: one table for all of them.
@Suite("IPAddress: what counts as this machine's loopback")
struct IPAddressTests {
    @Test(
        "loopback hosts",
        arguments: [
            "127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::ffff:127.9.8.7]",
            "localhost", "LOCALHOST", "localhost.", "LocalHost",
        ])
    func loopback(host: String) {
        #expect(IPAddress.isLoopback(host: host))
    }

    @Test(
        "not loopback",
        arguments: [
            "10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "2001:db8::1", "128.0.0.1", "localhost.example", "localhost..",
            "0177.0.0.1", "2130706433", "127.1", "", "[127.0.0.1]", "fe80::1%lo", "my-localhost",
        ])
    func notLoopback(host: String) {
        #expect(!IPAddress.isLoopback(host: host))
    }

    @Test("IPv4-mapped IPv6 is its IPv4 address")
    func mapped() {
        #expect(IPAddress("::ffff:192.0.2.7") == IPAddress("192.0.2.7"))
        #expect(IPAddress("::ffff:c000:207") == .v4(192, 0, 2, 7))
    }
}
