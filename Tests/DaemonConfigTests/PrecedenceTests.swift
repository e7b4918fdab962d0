import DaemonConfig
import Foundation
import Testing
import TokenCore

#if canImport(Glibc)
import Glibc
#endif

@Suite("ConfigurationLoader: sources and their precedence")
struct PrecedenceTests {
    @Test("the built-in defaults are the contract's (docs/api.md#transports, docs/configuration.md)")
    func contractDefaults() throws {
        let defaults = DaemonConfiguration()
        #expect(defaults.listen == [.unix(path: "/run/pamtoken/pamtoken.sock")])
        #expect(defaults.stateDirectory == "/var/lib/pamtoken")
        #expect(defaults.pamService == "pamtoken")
        #expect(defaults.accessTTL == 300)
        #expect(defaults.refreshTTL == 7 * 24 * 3600)
        #expect(defaults.sessionMaxAge == 30 * 24 * 3600)
        #expect(defaults.signingAlgorithm == .es256)
        #expect(defaults.reuseGrace == 0)
        #expect(defaults.allowRemote == false)
        #expect(ConfigurationLoader.systemPath == "/etc/pamtoken/pamtoken.toml")
    }

    @Test("a missing default file means built-in defaults")
    func missingDefaultFile() throws {
        let scratch = try ConfigScratch()
        defer { scratch.cleanUp() }
        let configuration = try scratch.loader.load(configPath: nil, environment: [:])
        #expect(configuration == DaemonConfiguration())
    }

    @Test("a missing file named by --config or PAMTOKEN_CONFIG is an error")
    func missingNamedFile() throws {
        let scratch = try ConfigScratch()
        defer { scratch.cleanUp() }
        #expect {
            try scratch.loader.load(configPath: scratch.missing, environment: [:])
        } throws: { error in
            let error = try #require(error as? ConfigurationError)
            return error.kind == .fileNotFound && error.description == "\(scratch.missing): no such file (named by --config)"
        }
        #expect {
            try scratch.loader.load(configPath: nil, environment: ["PAMTOKEN_CONFIG": scratch.missing])
        } throws: { error in
            let error = try #require(error as? ConfigurationError)
            return error.kind == .fileNotFound && error.description.contains("(named by PAMTOKEN_CONFIG)")
        }
    }

    @Test("--config wins over PAMTOKEN_CONFIG, which wins over the default file")
    func whichFile() throws {
        let scratch = try ConfigScratch()
        defer { scratch.cleanUp() }
        let flagFile = try scratch.write("access_ttl = 1", name: "flag.toml")
        let variableFile = try scratch.write("access_ttl = 2", name: "variable.toml")
        let defaultFile = try scratch.write("access_ttl = 3", name: "default.toml")
        let loader = ConfigurationLoader(defaultPath: defaultFile)
        let environment = ["PAMTOKEN_CONFIG": variableFile]
        #expect(try loader.load(configPath: flagFile, environment: environment).accessTTL == 1)
        #expect(try loader.load(configPath: nil, environment: environment).accessTTL == 2)
        #expect(try loader.load(configPath: nil, environment: [:]).accessTTL == 3)
        #expect(try loader.load(configPath: nil, environment: ["PAMTOKEN_CONFIG": ""]).accessTTL == 3, "empty means unset")
    }

    @Test("the file overrides the defaults; audience and listen also take a single string")
    func fileOverridesDefaults() throws {
        let toml = """
            listen = "tcp:127.0.0.1:8719"
            state_dir = "/srv/pamtoken"
            pam_service = "login"
            audience = "api"
            access_ttl = 600
            signing_alg = "EdDSA"
            durable_commits = false
            admin_group = "wheel"
            """
        let configuration = try #require(try load(toml).configuration)
        var expected = DaemonConfiguration()
        expected.listen = [.tcp(host: "127.0.0.1", port: 8719)]
        expected.stateDirectory = "/srv/pamtoken"
        expected.pamService = "login"
        expected.audiences = ["api"]
        expected.accessTTL = 600
        expected.signingAlgorithm = .edDSA
        expected.durableCommits = false
        expected.adminGroup = "wheel"
        #expect(configuration == expected)
    }

    @Test("PAMTOKEN_* variables override the file; lists are comma-separated")
    func environmentOverridesFile() throws {
        let toml = """
            access_ttl = 600
            refresh_ttl = 3600
            audience = ["from-file"]
            peercred_grant = false
            """
        let environment = [
            "PAMTOKEN_ACCESS_TTL": "120",
            "PAMTOKEN_AUDIENCE": "api, web",
            "PAMTOKEN_LISTEN": "unix:/run/a.sock,tcp:[::1]:8719",
            "PAMTOKEN_PEERCRED_GRANT": "yes",
            "PAMTOKEN_SIGNING_ALG": "rs256",
            "PAMTOKEN_STATE_DIR": "/tmp/state",
        ]
        let configuration = try #require(try load(toml, environment: environment).configuration)
        #expect(configuration.accessTTL == 120)
        #expect(configuration.refreshTTL == 3600, "a key the environment does not set keeps the file's value")
        #expect(configuration.audiences == ["api", "web"])
        #expect(configuration.listen == [.unix(path: "/run/a.sock"), .tcp(host: "::1", port: 8719)])
        #expect(configuration.peercredGrant)
        #expect(configuration.signingAlgorithm == .rs256)
        #expect(configuration.stateDirectory == "/tmp/state")
    }

    @Test(
        "booleans in the environment are true/false/1/0/yes/no, in any case",
        arguments: [
            ("true", true), ("1", true), ("yes", true), ("YES", true), ("True", true),
            ("false", false), ("0", false), ("no", false), ("No", false),
        ])
    func environmentBooleans(text: String, value: Bool) throws {
        let toml = "allow_remote = \(!value)"
        let configuration = try #require(try load(toml, environment: ["PAMTOKEN_ALLOW_REMOTE": text]).configuration)
        #expect(configuration.allowRemote == value)
    }

    @Test("flags override the environment")
    func flagsOverrideEnvironment() throws {
        let environment = [
            "PAMTOKEN_LISTEN": "unix:/run/env.sock", "PAMTOKEN_STATE_DIR": "/env", "PAMTOKEN_PAM_SERVICE": "env",
            "PAMTOKEN_ISSUER": "https://env.example", "PAMTOKEN_AUDIENCE": "env", "PAMTOKEN_ACCESS_TTL": "10",
            "PAMTOKEN_REFRESH_TTL": "20", "PAMTOKEN_SESSION_MAX_AGE": "30", "PAMTOKEN_SIGNING_ALG": "HS256",
            "PAMTOKEN_REUSE_GRACE": "1", "PAMTOKEN_IDLE_EXIT": "40", "PAMTOKEN_LOG_LEVEL": "debug", "PAMTOKEN_LOG_FORMAT": "json",
        ]
        let flags = ConfigurationOverrides(
            listen: ["tcp:127.0.0.1:9000", "unix:/run/flag.sock"], stateDirectory: "/flag", pamService: "flag",
            issuer: "https://flag.example", audiences: ["a", "b"], accessTTL: 100, refreshTTL: 200, sessionMaxAge: 300,
            signingAlgorithm: "eddsa", reuseGrace: 5, idleExit: 400, logLevel: "error", logFormat: "text")
        let configuration = try #require(try load(nil, environment: environment, flags: flags).configuration)
        var expected = DaemonConfiguration()
        expected.listen = [.tcp(host: "127.0.0.1", port: 9000), .unix(path: "/run/flag.sock")]
        expected.stateDirectory = "/flag"
        expected.pamService = "flag"
        expected.issuer = "https://flag.example"
        expected.audiences = ["a", "b"]
        expected.accessTTL = 100
        expected.refreshTTL = 200
        expected.sessionMaxAge = 300
        expected.signingAlgorithm = .edDSA
        expected.reuseGrace = 5
        expected.idleExit = 400
        expected.logLevel = "error"
        expected.logFormat = .text
        #expect(configuration == expected)
    }

    @Test("an empty repeatable flag counts as not given")
    func emptyRepeatableFlag() throws {
        let outcome = try load("audience = [\"file\"]", flags: ConfigurationOverrides(listen: [], audiences: []))
        #expect(outcome.configuration?.audiences == ["file"])
        #expect(outcome.configuration?.listen == DaemonConfiguration().listen)
    }

    @Test("unknown PAMTOKEN_* variables, PAMTOKEN_SOCKET and other variables are ignored")
    func unknownVariablesIgnored() throws {
        let environment = [
            "PAMTOKEN_SOCKET": "/tmp/cli.sock", "PAMTOKEN_ACESS_TTL": "oops", "PAMTOKEN_": "", "PAMTOKEN_🙂": "x",
            "PATH": "/usr/bin", "access_ttl": "7",
        ]
        #expect(try load(nil, environment: environment).configuration == DaemonConfiguration())
    }

    @Test("range rules apply to the merged result: a bad file value overridden by a flag is harmless")
    func mergedValidation() throws {
        #expect(try load("access_ttl = 0", flags: ConfigurationOverrides(accessTTL: 60)).configuration?.accessTTL == 60)
        #expect(try load("pam_threads = 0", environment: ["PAMTOKEN_PAM_THREADS": "8"]).configuration?.pamThreads == 8)
        // A type error is still an error: the file itself is wrong.
        let outcome = try load(#"access_ttl = "60""#, flags: ConfigurationOverrides(accessTTL: 60))
        #expect(outcome.error?.kind == .wrongType)
    }

    @Test("loading creates and modifies nothing, even for paths that do not exist yet")
    func noSideEffects() throws {
        let scratch = try ConfigScratch()
        defer { scratch.cleanUp() }
        let toml = """
            state_dir = "\(scratch.directory)/state"
            listen = "unix:\(scratch.directory)/run/pamtoken.sock"
            """
        let path = try scratch.write(toml)
        let before = try FileManager.default.attributesOfItem(atPath: path)
        let configuration = try scratch.loader.load(configPath: path, environment: [:])
        #expect(configuration.stateDirectory == scratch.directory + "/state")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.directory) == ["pamtoken.toml"])
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(after[.modificationDate] as? Date == before[.modificationDate] as? Date)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == toml)
    }

    @Test("a file that cannot be read is an error, not defaults, even at the default path")
    func unreadableFile() throws {
        let scratch = try ConfigScratch()
        defer { scratch.cleanUp() }
        // A directory opens but cannot be read as a file.
        let cases: [(ConfigurationLoader, String?)] = [
            (scratch.loader, scratch.directory), (ConfigurationLoader(defaultPath: scratch.directory), nil),
        ]
        for (loader, configPath) in cases {
            #expect {
                try loader.load(configPath: configPath, environment: [:])
            } throws: { error in
                let error = try #require(error as? ConfigurationError)
                return error.kind == .unreadableFile && error.description == "\(scratch.directory): not a regular file"
            }
        }
        let binary = scratch.directory + "/binary.toml"
        try Data([0x61, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0xFE, 0x22]).write(to: URL(fileURLWithPath: binary))
        #expect {
            try scratch.loader.load(configPath: binary, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description == "\(binary): not UTF-8 text"
        }
    }

    @Test("a file without read permission is an error", .enabled(if: geteuid() != 0, "root reads any file"))
    func noPermission() throws {
        let scratch = try ConfigScratch()
        defer { scratch.cleanUp() }
        let path = try scratch.write("access_ttl = 60")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        #expect {
            try scratch.loader.load(configPath: path, environment: [:])
        } throws: { error in
            let error = try #require(error as? ConfigurationError)
            return error.kind == .unreadableFile && error.description.hasPrefix("\(path): cannot open: ")
        }
    }
}
