import DaemonConfig
import Testing

@Suite("Validation of the merged configuration")
struct ValidationTests {
    @Test(
        "each rule refuses a bad value, naming the file and the key",
        arguments: [
            ("access_ttl = 0", "access_ttl", "must be positive (got 0)"),
            ("refresh_ttl = -1", "refresh_ttl", "must be positive (got -1)"),
            ("session_max_age = 0", "session_max_age", "must be positive (got 0)"),
            ("access_ttl = 315360001", "access_ttl", "must be at most 315360000 seconds"),
            ("reuse_grace = -1", "reuse_grace", "must not be negative (got -1)"),
            ("refresh_ttl = 60\nreuse_grace = 60", "reuse_grace", "must be less than refresh_ttl (60) (got 60)"),
            ("idle_exit = -1", "idle_exit", "must not be negative (got -1)"),
            ("pam_threads = 0", "pam_threads", "must be from 1 to 256 (got 0)"),
            ("pam_threads = 257", "pam_threads", "must be from 1 to 256 (got 257)"),
            ("pam_queue_limit = -1", "pam_queue_limit", "must be at least 0 (got -1)"),
            ("failure_delay_ms = -1", "failure_delay_ms", "must be from 0 to 10000 (got -1)"),
            ("failure_delay_ms = 10001", "failure_delay_ms", "must be from 0 to 10000 (got 10001)"),
            (#"issuer = "ftp://auth.example""#, "issuer", "must be an http or https URL without query or fragment"),
            (#"issuer = "https://auth.example/?tenant=1""#, "issuer", "must be an http or https URL without query or fragment"),
            (#"issuer = "https://auth.example/#top""#, "issuer", "must be an http or https URL without query or fragment"),
            (#"issuer = "auth.example""#, "issuer", "must be an http or https URL without query or fragment"),
            (#"issuer = "https://""#, "issuer", "must be an http or https URL without query or fragment"),
            ("audience = []", "audience", "must name at least one audience"),
            (#"audience = ["api", ""]"#, "audience", "must not contain an empty audience"),
            (#"state_dir = """#, "state_dir", "must not be empty"),
            (#"pam_service = """#, "pam_service", "must be the name of a file in /etc/pam.d"),
            (#"pam_service = "../login""#, "pam_service", "must be the name of a file in /etc/pam.d"),
            (#"admin_group = "wheel staff""#, "admin_group", "must be a group name"),
            (
                "store = \"postgresql://pamtoken@db.example.com/pamtoken\"\nsigning_alg = \"HS256\"", "store",
                "a postgresql:// store shares public keys between hosts; signing_alg = \"HS256\" has none"
            ),
            ("listen = []", "listen", "must name at least one address"),
            (#"listen = ["unix:/run/a.sock", "unix:/run/a.sock"]"#, "listen", "lists 'unix:/run/a.sock' twice"),
            (
                #"listen = "unix:relative.sock""#, "listen",
                "has 'unix:relative.sock', which is not a listen address: a Unix socket path must be absolute"
            ),
            (
                #"listen = "tcp:127.0.0.1:0""#, "listen",
                "has 'tcp:127.0.0.1:0', which is not a listen address: the port must be a number from 1 to 65535"
            ),
            (#"signing_alg = "none""#, "signing_alg", "must be one of ES256, EdDSA, RS256, HS256 (got 'none')"),
            (#"log_level = "verbose""#, "log_level", "must be one of trace, debug, info, notice, warning, error, critical"),
            (#"log_format = "xml""#, "log_format", "must be text or json (got 'xml')"),
            ("throttle_user_failures = 0", "throttle_user_failures", "must be at least 1 (got 0)"),
            ("throttle_peer_failures = 0", "throttle_peer_failures", "must be at least 1 (got 0)"),
            ("throttle_window = 0", "throttle_window", "must be positive (got 0)"),
            ("throttle_max_backoff = 0", "throttle_max_backoff", "must be positive (got 0)"),
            ("gc_interval = 0", "gc_interval", "must be positive (got 0)"),
            ("idle_connection_timeout = 0", "idle_connection_timeout", "must be positive (got 0)"),
        ])
    func rule(toml: String, key: String, problem: String) throws {
        let outcome = try load(toml)
        let error = try #require(outcome.error)
        #expect(error.kind == .invalidValue)
        #expect(error.key == key)
        #expect(error.description.hasPrefix("\(outcome.path): '\(key)' \(problem)"), "\(error)")
    }

    @Test("values at the edge of each rule are accepted")
    func boundaries() throws {
        let toml = """
            access_ttl = 1
            refresh_ttl = 2
            session_max_age = 315360000
            reuse_grace = 1
            idle_exit = 0
            pam_threads = 256
            pam_queue_limit = 0
            failure_delay_ms = 10000
            issuer = "HTTPS://auth.example:8443/realms/pamtoken"
            admin_group = ""
            throttle_user_failures = 1
            """
        let outcome = try load(toml)
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(try load("failure_delay_ms = 0").error == nil)
        #expect(try load("pam_threads = 1").error == nil)
    }

    @Test("a rule broken through the environment or a flag names that variable or flag")
    func originNamed() throws {
        let variable = try #require(try load(nil, environment: ["PAMTOKEN_PAM_THREADS": "0"]).error)
        #expect(variable.description == "PAMTOKEN_PAM_THREADS: must be from 1 to 256 (got 0)")
        #expect(variable.key == "pam_threads")

        let flag = try #require(try load(nil, flags: ConfigurationOverrides(accessTTL: 0)).error)
        #expect(flag.description == "--access-ttl: must be positive (got 0)")

        // The rule is about reuse_grace, which the flag set; refresh_ttl came from the file.
        let grace = try #require(try load("refresh_ttl = 10", flags: ConfigurationOverrides(reuseGrace: 10)).error)
        #expect(grace.description == "--reuse-grace: must be less than refresh_ttl (10) (got 10)")

        let listen = try #require(try load(nil, environment: ["PAMTOKEN_LISTEN": "tcp:10.1.2.3:80"]).error)
        #expect(listen.description.hasPrefix("PAMTOKEN_LISTEN: has 'tcp:10.1.2.3:80', which is not a loopback address"))
    }

    @Test(
        "a TCP listener that is not loopback is refused, telling to set allow_remote = true",
        arguments: [
            "tcp:0.0.0.0:8719", "tcp:192.168.1.10:8719", "tcp:[::]:8719", "tcp:[2001:db8::1]:80", "tcp:auth.example.com:443",
        ])
    func remoteRefused(address: String) throws {
        let outcome = try load("listen = [\"unix:/run/a.sock\", \"\(address)\"]")
        let error = try #require(outcome.error)
        #expect(error.kind == .invalidValue)
        #expect(error.key == "listen")
        #expect(
            error.description == "\(outcome.path): 'listen' has '\(address)', which is not a loopback address; "
                + "set allow_remote = true (PAMTOKEN_ALLOW_REMOTE=true) to accept connections from other machines")
    }

    @Test("allow_remote = true (in the file or the environment) allows any TCP address")
    func remoteAllowed() throws {
        let configuration = try #require(try load("allow_remote = true\nlisten = \"tcp:0.0.0.0:8719\"").configuration)
        #expect(configuration.listen == [.tcp(host: "0.0.0.0", port: 8719)])
        #expect(configuration.allowRemote)
        let viaEnvironment = try load("listen = \"tcp:[::]:8719\"", environment: ["PAMTOKEN_ALLOW_REMOTE": "1"])
        #expect(viaEnvironment.configuration?.listen == [.tcp(host: "::", port: 8719)])
    }

    @Test(
        "loopback listeners, IPv4, IPv6 and localhost, need no allow_remote",
        arguments: [
            "tcp:127.0.0.1:8719", "tcp:127.0.0.53:8719", "tcp:[::1]:8719", "tcp:localhost:8719",
        ])
    func loopbackAccepted(address: String) throws {
        let configuration = try #require(try load("listen = \"\(address)\"").configuration)
        #expect(configuration.listen.map(\.description) == [address])
        #expect(!configuration.allowRemote)
    }
}
