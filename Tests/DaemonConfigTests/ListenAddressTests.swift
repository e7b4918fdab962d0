import DaemonConfig
import Testing

@Suite("Listen addresses: unix:/path and tcp:HOST:PORT")
struct ListenAddressTests {
    @Test(
        "valid addresses parse and print back unchanged",
        arguments: [
            ("unix:/run/pamtoken/pamtoken.sock", ListenAddress.unix(path: "/run/pamtoken/pamtoken.sock")),
            ("tcp:127.0.0.1:8719", .tcp(host: "127.0.0.1", port: 8719)),
            ("tcp:[::1]:8719", .tcp(host: "::1", port: 8719)),
            ("tcp:[2001:db8::7]:1", .tcp(host: "2001:db8::7", port: 1)),
            ("tcp:localhost:65535", .tcp(host: "localhost", port: 65535)),
            ("tcp:auth-1.example.com:443", .tcp(host: "auth-1.example.com", port: 443)),
        ])
    func valid(text: String, address: ListenAddress) throws {
        #expect(try ListenAddress(parsing: text) == address)
        #expect(address.description == text)
    }

    @Test(
        "malformed addresses are refused with the reason",
        arguments: [
            ("/run/pamtoken.sock", "it must be unix:/absolute/path or tcp:HOST:PORT"),
            ("http://127.0.0.1:80", "it must be unix:/absolute/path or tcp:HOST:PORT"),
            ("unix:run/pamtoken.sock", "a Unix socket path must be absolute"),
            ("unix:", "a Unix socket path must be absolute"),
            ("unix:/run/pamtoken/", "a Unix socket path must name a file, not a directory"),
            ("unix:/" + String(repeating: "a", count: 107), "a Unix socket path may have at most 107 bytes"),
            ("tcp:127.0.0.1", "the :PORT is missing"),
            ("tcp::8719", "the host is missing"),
            ("tcp:127.0.0.1:0", "the port must be a number from 1 to 65535"),
            ("tcp:127.0.0.1:65536", "the port must be a number from 1 to 65535"),
            ("tcp:127.0.0.1:+80", "the port must be a number from 1 to 65535"),
            ("tcp:127.0.0.1:http", "the port must be a number from 1 to 65535"),
            ("tcp:::1:8719", "an IPv6 address must be written in brackets"),
            ("tcp:[::1:8719", "the IPv6 address lacks its closing ]"),
            ("tcp:[::1]8719", "a :PORT must follow the ]"),
            ("tcp:[127.0.0.1]:80", "'127.0.0.1' is not an IPv6 address"),
            ("tcp:256.0.0.1:80", "'256.0.0.1' is not an IPv4 address"),
            ("tcp:bad_host:80", "'bad_host' is not a host name or IP address"),
            ("tcp:127.0.0.1\u{0}:80", "it contains a NUL byte"),
        ])
    func malformed(text: String, reason: String) {
        #expect {
            try ListenAddress(parsing: text)
        } throws: { error in
            (error as? ListenAddress.ParseError)?.description.hasPrefix(reason) == true
        }
    }

    @Test("the longest Unix socket path that fits sun_path is accepted")
    func longestUnixPath() throws {
        let path = "/" + String(repeating: "a", count: 106)
        #expect(try ListenAddress(parsing: "unix:" + path) == .unix(path: path))
    }

    @Test(
        "local-only: Unix sockets and loopback TCP, nothing else",
        arguments: [
            ("unix:/run/a.sock", true), ("tcp:127.0.0.1:1", true), ("tcp:127.255.0.9:1", true), ("tcp:localhost:1", true),
            ("tcp:LocalHost:1", true), ("tcp:[::1]:1", true), ("tcp:[0:0:0:0:0:0:0:1]:1", true), ("tcp:[::ffff:127.0.0.1]:1", true),
            ("tcp:0.0.0.0:1", false), ("tcp:[::]:1", false), ("tcp:10.0.0.1:1", false), ("tcp:128.0.0.1:1", false),
            ("tcp:[::2]:1", false), ("tcp:localhost.example.com:1", false), ("tcp:[::ffff:10.0.0.1]:1", false),
        ])
    func localOnly(text: String, local: Bool) throws {
        #expect(try ListenAddress(parsing: text).isLocalOnly == local)
    }
}
