import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs `pamtoken-pamcheck` under pam_wrapper: a private PAM configuration directory whose services
/// use pam_matrix (users and passwords from a file), so tests exercise the real libpam, real modules
/// and our conversation function without touching /etc/pam.d or the system's users.
struct PAMWrapperHarness {
    static let wrapperLibrary = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"
    static let matrixModule = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
    static let denyModule = "/lib/x86_64-linux-gnu/security/pam_deny.so"

    /// Whether pam_wrapper is installed (`apt-get install libpam-wrapper`); CI installs it.
    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: wrapperLibrary) && FileManager.default.fileExists(atPath: matrixModule)
    }

    static let oathModule = "/lib/x86_64-linux-gnu/security/pam_oath.so"
    /// The TOTP key of every user in the OATH users file (RFC 6238's test key).
    static let oathKey = "3132333435363738393031323334353637383930"

    /// Whether pam_oath and oathtool are installed (`apt-get install libpam-oath oathtool`); CI installs them.
    static var oathIsAvailable: Bool {
        isAvailable && FileManager.default.fileExists(atPath: oathModule) && FileManager.default.isExecutableFile(atPath: "/usr/bin/oathtool")
    }

    let directory: URL

    /// `users` are `name:password:service` lines (pam_matrix's passdb format).
    init(users: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-pam-\(UUID().uuidString)")
        let services = directory.appendingPathComponent("pam.d")
        try FileManager.default.createDirectory(at: services, withIntermediateDirectories: true)
        let passdb = directory.appendingPathComponent("passdb").path
        try (users.joined(separator: "\n") + "\n").write(toFile: passdb, atomically: true, encoding: .utf8)

        let matrix = "\(Self.matrixModule) passdb=\(passdb)"
        // pam_oath wants its users file private; it rewrites it to remember the last code used.
        let oathUsers = directory.appendingPathComponent("users.oath").path
        let oathLines = users.compactMap { $0.split(separator: ":").first }.map { "HOTP/T30 \($0) - \(Self.oathKey)" }
        try (oathLines.joined(separator: "\n") + "\n").write(toFile: oathUsers, atomically: true, encoding: .utf8)
        chmod(oathUsers, 0o600)
        let files: [String: String] = [
            // A service whose stack is pam_matrix alone.
            "pamtoken-test": "auth required \(matrix)\naccount required \(matrix)\n",
            // Authentication passes, but the account stage refuses everyone.
            "pamtoken-deny": "auth required \(matrix)\naccount required \(Self.denyModule)\n",
            // pam_matrix's `verbose` option sends PAM_TEXT_INFO/PAM_ERROR_MSG through the conversation.
            "pamtoken-verbose": "auth required \(matrix) verbose\naccount required \(matrix)\n",
            // The password, then a TOTP code from the real pam_oath: two prompts, with pam_matrix's note between.
            "pamtoken-oath": "auth required \(matrix) verbose\nauth required \(Self.oathModule) usersfile=\(oathUsers) window=4 digits=6\n"
                + "account required \(matrix)\n",
            // Without an `other` service, libpam logs an error on every call.
            "other": "auth required \(Self.denyModule)\naccount required \(Self.denyModule)\n",
        ]
        for (name, text) in files {
            try text.write(to: services.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    struct Outcome {
        var status: Int32
        var lines: [String]
    }

    /// Runs one `--interactive` transaction, answering its prompts with the lines of `answers`; an answer
    /// missing leaves its prompt unanswered until `timeout` seconds pass.
    func converse(service: String, user: String, answers: [String], timeout: Double = 20) async throws -> Outcome {
        let arguments = ["--service", service, "--interactive", "--timeout", String(timeout), "--", user]
        let outcome = try await PAMWrapperStarts.shared.serialized {
            try await ChildProcess.run(
                ChildProcess.builtProduct("pamtoken-pamcheck"), arguments, environment: environment,
                stdin: answers.map { $0 + "\n" }.joined())
        }
        return Outcome(status: outcome.status, lines: outcome.stdout.split(separator: "\n").map(String.init))
    }

    /// The current TOTP code of ``oathKey``, from oathtool.
    static func currentCode() async throws -> String {
        let outcome = try await ChildProcess.run("/usr/bin/oathtool", ["--totp", oathKey], environment: [:], stdin: nil)
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private var environment: [String: String] {
        ["LD_PRELOAD": Self.wrapperLibrary, "PAM_WRAPPER": "1", "PAM_WRAPPER_SERVICE_DIR": directory.appendingPathComponent("pam.d").path]
    }

    /// Runs the probe and waits for it to exit (no polling: the termination handler resumes us).
    func check(service: String, user: String, password: String?, arguments extra: [String] = []) async throws -> Outcome {
        let arguments = ["--service", service] + extra + (password == nil ? ["--account-only"] : []) + ["--", user]
        let environment = [
            "LD_PRELOAD": Self.wrapperLibrary, "PAM_WRAPPER": "1", "PAM_WRAPPER_SERVICE_DIR": directory.appendingPathComponent("pam.d").path,
        ]
        // A short-lived pam_wrapper process: its whole life, set-up to clean-up, in turn (PAMWrapperStarts).
        let outcome = try await PAMWrapperStarts.shared.serialized {
            try await ChildProcess.run(
                ChildProcess.builtProduct("pamtoken-pamcheck"), arguments, environment: environment, stdin: password.map { $0 + "\n" })
        }
        return Outcome(status: outcome.status, lines: outcome.stdout.split(separator: "\n").map(String.init))
    }
}
