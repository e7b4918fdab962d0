import Foundation
import Testing

@testable import LinuxPAM

/// The service's modules stay mapped between transactions (docs/BENCHMARKS.md, "Where a refresh's
/// CPU goes"), and are let go at shutdown.
@Suite("PAM resident modules")
struct PAMResidentModulesTests {
    /// A module no other test loads, so that the process's mappings show this suite's doing alone.
    static let module = "/lib/x86_64-linux-gnu/security/pam_localuser.so"

    static func isMapped(_ path: String) throws -> Bool {
        // Read to the end: /proc files report a size of 0, which a whole-file read may trust.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps"))
        defer { try? handle.close() }
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let name = URL(fileURLWithPath: path).lastPathComponent
        return maps.split(separator: "\n").contains { $0.hasSuffix("/" + name) }
    }

    @Test(
        "the modules of the service are loaded before any transaction and unloaded on release",
        .enabled(if: FileManager.default.fileExists(atPath: module)))
    func holdsAndReleases() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-resident-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "account required \(Self.module)\n".write(
            to: directory.appendingPathComponent("pamtoken-resident"), atomically: true, encoding: .utf8)
        #expect(try !Self.isMapped(Self.module))

        let resident = PAMResidentModules(service: "pamtoken-resident", configurationDirectory: directory.path)
        #expect(resident.isHolding)
        #expect(try Self.isMapped(Self.module))

        resident.release()
        #expect(!resident.isHolding)
        #expect(try !Self.isMapped(Self.module))
        resident.release()  // idempotent
    }

    @Test("a service without configuration holds nothing and does not fail")
    func missingConfiguration() {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-resident-none-\(UUID().uuidString)")
        let resident = PAMResidentModules(service: "pamtoken-none", configurationDirectory: empty.path)
        #expect(!resident.isHolding)
    }
}
