import Foundation
import PamtokenCLI
import Testing

@Suite("Exit codes and error lines (docs/api.md#the-pamtoken-cli: 0 ok, 1 refused, 2 usage, 3 unreachable)")
final class ExitCodeTests {
    let runtime = ["XDG_RUNTIME_DIR": FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-exit-\(UUID().uuidString)").path]

    deinit {
        try? FileManager.default.removeItem(atPath: runtime["XDG_RUNTIME_DIR"]!)
    }

    @Test("error kinds map to 1, 2, 3 and 128+signal; client errors map by whether the daemon was reached")
    func mapping() {
        #expect(CLIError.refused("x").exitCode == 1)
        #expect(CLIError.usage("x").exitCode == 2)
        #expect(CLIError.unreachable("x").exitCode == 3)
        #expect(CLIError(.interrupted(signal: 2), "x").exitCode == 130)
        let address = DaemonAddress.unix(path: "/run/pamtoken/pamtoken.sock")
        #expect(DaemonClientError(.unreachable, address: address, reason: "No such file or directory").cliError.exitCode == 3)
        #expect(DaemonClientError(.transport, address: address, reason: "timed out").cliError.exitCode == 3)
        #expect(DaemonClientError(.badResponse, address: address, reason: "x").cliError.exitCode == 1)
        #expect(
            DaemonClientError(.unreachable, address: address, reason: "No such file or directory").description
                == "cannot reach pamtokend at unix:/run/pamtoken/pamtoken.sock: No such file or directory")
    }

    @Test("an unreachable socket exits 3 with one line naming the socket")
    func unreachable() async {
        let run = await pamtoken(["login", "--password-stdin", "--socket", "/nonexistent/pamtoken.sock"], stdin: "pw\n", environment: runtime)
        #expect(run.status == 3, "\(run)")
        #expect(run.stderr == "pamtoken: cannot reach pamtokend at unix:/nonexistent/pamtoken.sock: No such file or directory\n")
        #expect(run.stdout.isEmpty)
    }

    @Test("--socket and --url work before the subcommand too, with the same validation")
    func globalOptions() async {
        for arguments in [
            ["--socket", "/nonexistent/before.sock", "login", "--password-stdin"],
            ["--socket=/nonexistent/before.sock", "login", "--password-stdin"],
        ] {
            let run = await pamtoken(arguments, stdin: "pw\n", environment: runtime)
            #expect(run.status == 3, "\(run)")
            #expect(run.stderr.contains("unix:/nonexistent/before.sock"))
        }
        let nested = await pamtoken(["--socket", "/nonexistent/admin.sock", "admin", "keys", "list"], environment: runtime)
        #expect(nested.status == 3 && nested.stderr.contains("unix:/nonexistent/admin.sock"), "\(nested)")
        #expect(await pamtoken(["--url", "https://127.0.0.1:1", "token"], environment: runtime).status == 2)
        #expect(await pamtoken(["--socket", "/a", "token", "--url", "http://127.0.0.1:1"], environment: runtime).status == 2)
        #expect(await pamtoken(["--socket"], environment: runtime).status == 2)
    }

    @Test("--version names the commit; with --verbose, the dependencies it was built with")
    func version() async {
        let short = await pamtoken(["--version"], environment: runtime)
        #expect(short.status == 0 && short.stdout.hasPrefix("0.") && short.stdout.contains("(commit "), "\(short)")
        let verbose = await pamtoken(["--version", "--verbose"], environment: runtime)
        #expect(verbose.status == 0 && verbose.stdout.contains("swift-argument-parser "), "\(verbose)")
    }

    @Test("PAMTOKEN_SOCKET is used when --socket is absent")
    func environmentSocket() async {
        var environment = runtime
        environment["PAMTOKEN_SOCKET"] = "/nonexistent/env.sock"
        let run = await pamtoken(["login", "--password-stdin"], stdin: "pw\n", environment: environment)
        #expect(run.status == 3)
        #expect(run.stderr.contains("unix:/nonexistent/env.sock"))
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["token", "--bogus"], ["token", "--format", "yaml"], ["token", "--min-valid", "-1"], ["nosuchcommand"],
            ["token", "--socket", "/a", "--url", "http://127.0.0.1:1"], ["token", "--url", "https://127.0.0.1:8719"],
            ["admin", "revoke", "--user", "a", "--session", "b"], ["admin", "revoke"], ["admin", "keys", "list", "--url", "http://127.0.0.1:1"],
            ["sessions", "revoke"],
        ])
    func usage(arguments: [String]) async {
        let run = await pamtoken(arguments, environment: runtime)
        #expect(run.status == 2, "\(run)")
        #expect(!run.stderr.isEmpty)
        #expect(run.stdout.isEmpty)
    }

    @Test("session ids that begin with '-' (base64url) are taken as ids, not options")
    func dashIDs() async {
        let admin = await pamtoken(["admin", "revoke", "--session", "-ySye_Qz", "--socket", "/nonexistent/pamtoken.sock"], environment: runtime)
        #expect(admin.status == 3, "\(admin)")
        let own = await pamtoken(["sessions", "revoke", "-ySye_Qz", "--socket", "/nonexistent/pamtoken.sock"], environment: runtime)
        #expect(own.status == 1, "\(own)")
        #expect(own.stderr == "pamtoken: not logged in; run 'pamtoken login'\n")
        #expect(await pamtoken(["sessions", "revoke", "a", "b"], environment: runtime).status == 2)
    }

    @Test("--help works on every command, exits 0 and shows an example")
    func help() async {
        let commands: [[String]] = [
            [], ["login"], ["token"], ["status"], ["logout"], ["verify"], ["sessions"], ["sessions", "list"], ["sessions", "revoke"],
            ["admin"], ["admin", "sessions"], ["admin", "revoke"], ["admin", "keys"], ["admin", "keys", "list"], ["admin", "keys", "rotate"],
            ["admin", "gc"],
        ]
        for command in commands {
            let run = await pamtoken(command + ["--help"], environment: runtime)
            #expect(run.status == 0, "\(command)")
            #expect(run.stdout.contains("Examples:"), "\(command)")
            #expect(run.stdout.contains("pamtoken"), "\(command)")
        }
    }

    @Test("not logged in and no terminal: token exits 1 with the one-line hint, without contacting the daemon")
    func notLoggedIn() async {
        let run = await pamtoken(["token", "--socket", "/nonexistent/pamtoken.sock"], environment: runtime)
        #expect(run.status == 1)
        #expect(run.stderr == "pamtoken: not logged in; run 'pamtoken login'\n")
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: runtime["XDG_RUNTIME_DIR"]! + "/pamtoken"), "nothing is created")
    }

    @Test("a malformed token given to verify exits 1 with the reason")
    func malformedToken() async {
        let run = await pamtoken(["verify", "not-a-jwt", "--socket", "/nonexistent/pamtoken.sock"], environment: runtime)
        #expect(run.status == 1)
        #expect(run.stderr == "pamtoken: invalid token: the token is malformed\n")
    }

    @Test("--url accepts http URLs with a host and port, and nothing else")
    func urls() throws {
        #expect(try DaemonAddress.parse(url: "http://127.0.0.1:8719") == .tcp(host: "127.0.0.1", port: 8719, basePath: ""))
        #expect(try DaemonAddress.parse(url: "http://[::1]:8719/") == .tcp(host: "::1", port: 8719, basePath: ""))
        #expect(try DaemonAddress.parse(url: "HTTP://localhost/auth/") == .tcp(host: "localhost", port: 80, basePath: "/auth"))
        #expect(DaemonAddress.tcp(host: "::1", port: 8719, basePath: "").description == "http://[::1]:8719")
        for bad in ["https://127.0.0.1", "127.0.0.1:8719", "http://", "http://h:0", "http://h:x", "http://u@h:1", "http://[::1"] {
            #expect(throws: CLIError.self, "\(bad)") { try DaemonAddress.parse(url: bad) }
        }
    }
}
