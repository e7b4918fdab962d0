import DaemonConfig
import Testing
import TokenCore

@Suite("Errors in the file, the environment and flags: one line naming the source and key")
struct FileErrorTests {
    @Test("a TOML syntax error reports path:line:column")
    func syntaxError() throws {
        let toml = """
            # comment
            access_ttl = 300
            issuer = = "https://auth.example"
            """
        let outcome = try load(toml)
        let error = try #require(outcome.error)
        #expect(error.kind == .syntax)
        #expect(error.description.hasPrefix("\(outcome.path):3:10: "), "\(error)")
    }

    /// Regression (fuzz-config): toml++ asserted — the daemon aborted — on a control character in a
    /// date-time. TOML forbids them everywhere, so they are refused before the parser sees the text.
    @Test(
        "a control character is a syntax error naming line and column, never an abort",
        arguments: [
            ("x = 1979-05-27T\u{1F}07:32:27Z\n", 1, 16, "001F"), ("# ok\nissuer = \"a\u{7F}\"\n", 2, 12, "007F"),
            ("audience = ['\u{8}']", 1, 14, "0008"), ("# é\u{1B}[31m\n", 1, 4, "001B"),
        ])
    func controlCharacter(toml: String, line: Int, column: Int, code: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader().load(fileContents: Array(toml.utf8), path: "/etc/pamtoken/pamtoken.toml")
        }
        #expect(error.kind == .syntax)
        #expect(error.description == "/etc/pamtoken/pamtoken.toml:\(line):\(column): control character U+\(code) is not allowed in TOML")
    }

    @Test("the file the fuzzer found is refused with one line")
    func fuzzerRegression() throws {
        // The bytes of Fuzz/Regressions/fuzz-config/toml-assert-control-in-time, whose last line aborted toml++.
        let toml = "#00e9.example\"\n[table]\nx = 1979-05-27T\u{1F}07:32:27Z\n"
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader().load(fileContents: Array(toml.utf8), path: "p.toml")
        }
        #expect(error.description == "p.toml:3:16: control character U+001F is not allowed in TOML")
    }

    @Test("a key set twice is a syntax error on the second line")
    func duplicateKey() throws {
        let outcome = try load("access_ttl = 300\naccess_ttl = 600\n")
        let error = try #require(outcome.error)
        #expect(error.kind == .syntax)
        #expect(error.description.hasPrefix("\(outcome.path):2:"), "\(error)")
    }

    @Test(
        "an unknown key is named, with a hint when a known key is close",
        arguments: [
            ("acess_ttl", "access_ttl"), ("Access-TTL", "access_ttl"), ("pam_thread", "pam_threads"),
            ("audiences", "audience"), ("sigining_alg", "signing_alg"), ("allow-remote", "allow_remote"),
        ])
    func unknownKeyWithHint(typo: String, suggestion: String) throws {
        let outcome = try load("\(typo) = 300")
        let error = try #require(outcome.error)
        #expect(error.kind == .unknownKey)
        #expect(error.key == typo)
        #expect(error.description == "\(outcome.path): unknown key '\(typo)' (did you mean '\(suggestion)'?)")
    }

    @Test("an unknown key far from every known key gets no hint")
    func unknownKeyWithoutHint() throws {
        let outcome = try load("colour = \"blue\"")
        #expect(outcome.error?.description == "\(outcome.path): unknown key 'colour'")
    }

    @Test("a table is refused: every key is at the top level")
    func tableRefused() throws {
        let outcome = try load("[server]\nlisten = \"unix:/run/a.sock\"\n")
        let error = try #require(outcome.error)
        #expect(error.kind == .unknownKey)
        #expect(error.description == "\(outcome.path): unknown table [server]; every key is at the top level")
    }

    @Test(
        "a value of the wrong TOML type names the key, what it must be and what it was",
        arguments: [
            (#"access_ttl = "300""#, "access_ttl", "must be an integer number of seconds, not a string"),
            ("access_ttl = 300.0", "access_ttl", "must be an integer number of seconds, not a floating-point number"),
            ("failure_delay_ms = true", "failure_delay_ms", "must be an integer number of milliseconds, not a boolean"),
            ("pam_threads = [4]", "pam_threads", "must be an integer, not an array containing an integer"),
            (#"allow_remote = "yes""#, "allow_remote", "must be true or false, not a string"),
            ("audience = [1, 2]", "audience", "must be a string or an array of strings, not an array containing an integer"),
            ("listen = 8719", "listen", "must be an address or an array of addresses"),
            ("signing_alg = 256", "signing_alg", "must be one of ES256, EdDSA, RS256, HS256, not an integer"),
            ("state_dir = true", "state_dir", "must be a string, not a boolean"),
            ("issuer = 2024-01-01", "issuer", "must be a string, not a date"),
            ("admin_group = { name = \"wheel\" }", "admin_group", "must be a string, not a table"),
        ])
    func wrongType(line: String, key: String, problem: String) throws {
        let outcome = try load(line)
        let error = try #require(outcome.error)
        #expect(error.kind == .wrongType)
        #expect(error.key == key)
        #expect(error.description.hasPrefix("\(outcome.path): '\(key)' \(problem)"), "\(error)")
    }

    @Test(
        "a bad environment variable is named with its value",
        arguments: [
            ("PAMTOKEN_ACCESS_TTL", "5m", "PAMTOKEN_ACCESS_TTL: must be an integer number of seconds (got '5m')"),
            ("PAMTOKEN_PAM_THREADS", "", "PAMTOKEN_PAM_THREADS: must be an integer (got '')"),
            ("PAMTOKEN_PEERCRED_GRANT", "maybe", "PAMTOKEN_PEERCRED_GRANT: must be true, false, 1, 0, yes or no (got 'maybe')"),
            ("PAMTOKEN_LOG_FORMAT", "xml", "PAMTOKEN_LOG_FORMAT: must be text or json (got 'xml')"),
            ("PAMTOKEN_LISTEN", "unix:/a.sock,", "PAMTOKEN_LISTEN: has '', which is not a listen address"),
        ])
    func badEnvironment(variable: String, value: String, message: String) throws {
        let error = try #require(try load(nil, environment: [variable: value]).error)
        #expect(error.description.hasPrefix(message), "\(error)")
    }

    @Test(
        "a bad flag value names the flag",
        arguments: [
            (ConfigurationOverrides(listen: ["tcp:localhost"]), "--listen: has 'tcp:localhost', which is not a listen address: the :PORT is missing"),
            (ConfigurationOverrides(signingAlgorithm: "none"), "--signing-alg: must be one of ES256, EdDSA, RS256, HS256 (got 'none')"),
            (
                ConfigurationOverrides(logLevel: "loud"),
                "--log-level: must be one of trace, debug, info, notice, warning, error, critical (got 'loud')"
            ),
            (ConfigurationOverrides(logFormat: "xml"), "--log-format: must be text or json (got 'xml')"),
            (ConfigurationOverrides(issuer: "auth.example"), "--issuer: must be an http or https URL"),
            (ConfigurationOverrides(audiences: [""]), "--audience: must not contain an empty audience"),
            (ConfigurationOverrides(stateDirectory: ""), "--state-dir: must not be empty"),
            (ConfigurationOverrides(idleExit: -5), "--idle-exit: must not be negative (got -5)"),
        ])
    func badFlag(flags: ConfigurationOverrides, message: String) throws {
        let error = try #require(try load(nil, flags: flags).error)
        #expect(error.description.hasPrefix(message), "\(error)")
    }

    @Test("names of algorithms, levels and formats are accepted in any letter case")
    func caseInsensitiveNames() throws {
        let toml = """
            signing_alg = "eddsa"
            log_level = "WARNING"
            log_format = "JSON"
            """
        let configuration = try #require(try load(toml).configuration)
        #expect(configuration.signingAlgorithm == .edDSA)
        #expect(configuration.logLevel == "warning")
        #expect(configuration.logFormat == .json)
    }

    @Test("a value quoted in a message cannot break the one-line promise")
    func oneLine() throws {
        let outcome = try load("signing_alg = \"\"\"\nES256\nnone\"\"\"")
        let error = try #require(outcome.error)
        #expect(error.description == "\(outcome.path): 'signing_alg' must be one of ES256, EdDSA, RS256, HS256 (got 'ES256\\u{a}none')")
    }
}
