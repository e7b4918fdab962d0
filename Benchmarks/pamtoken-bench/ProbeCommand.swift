import ArgumentParser
import Foundation

/// Cold start: the time from connecting to a socket that systemd-socket-activate
/// holds — the daemon not yet started — to the first answer of `GET /healthz`. The connection
/// itself is what makes systemd-socket-activate start the daemon.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "Time to the first answer.")

    @Option(help: "unix:/path or tcp:host:port") var endpoint: String
    @Option(help: "A free-form tag copied into the output line.") var label: String?

    func run() throws {
        guard let endpoint = Endpoint(endpoint) else { throw ValidationError("bad endpoint \(endpoint)") }
        let started = Monotonic.now
        let response = try HTTPConnection(endpoint).exchange(RequestFactory.healthz)
        let millis = Double(Monotonic.now - started) / 1e6
        guard response.status == 200 else { throw ValidationError("healthz answered \(response.status)") }
        try BenchOutput.print(ProbeReport(millis: millis, label: label))
    }
}

struct ProbeReport: Codable, Sendable {
    var kind = "coldstart"
    var millis: Double
    var label: String?
}
