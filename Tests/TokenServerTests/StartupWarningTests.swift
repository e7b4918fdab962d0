import DaemonConfig
import Foundation
import Testing
import TokenCore

@testable import PamtokenDaemon

/// What the daemon warns about at start: configurations that work but will surprise someone.
@Suite("Start-up warnings")
struct StartupWarningTests {
    @Test("a missing PAM service file is named, with what libpam does instead")
    func missingPAMService() {
        var configuration = DaemonConfiguration()
        configuration.pamService = "pamtoken-no-such-service-\(UUID().uuidString.prefix(8))"
        let warnings = Daemon.environmentWarnings(configuration)
        #expect(warnings.contains { $0.contains(configuration.pamService) && $0.contains("/etc/pam.d/other") }, "\(warnings)")
        configuration.pamService = "other"
        #expect(!Daemon.environmentWarnings(configuration).contains { $0.contains("has no file") })
    }

    @Test("a client served on the issuer's host is warned about: cookies ignore ports")
    func sharedHost() {
        var configuration = DaemonConfiguration()
        configuration.issuer = "http://127.0.0.1:8719"
        configuration.clients = [
            OAuthClient(id: "wiki", redirectURIs: ["http://127.0.0.1:8080/cb"], isPublic: true),
            OAuthClient(id: "board", redirectURIs: ["http://localhost:7000/cb"], isPublic: true),
        ]
        let warnings = configuration.sharedHostWarnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("client wiki") == true)
        configuration.issuer = "http://127.0.0.2:8719"
        #expect(configuration.sharedHostWarnings.isEmpty)
    }
}
