import ArgumentParser

/// Drives a running daemon with one scenario at one concurrency and prints one JSON line.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "HTTP load against a running daemon.")

    @Option(help: "unix:/path or tcp:127.0.0.1:port") var endpoint: String
    @Option(help: "password, refresh, introspect, userinfo, jwks, tutorial, healthz") var scenario: String
    @Option(help: "Concurrent keep-alive connections.") var connections = 8
    @Option(help: "Measured seconds.") var duration = 3.0
    @Option(help: "Seconds sent but not measured, first.") var warmup = 0.5
    @Option var user: String
    @Option var password: String
    @Option(help: "A free-form tag copied into the output line.") var label: String?

    func run() throws {
        guard let endpoint = Endpoint(endpoint) else { throw ValidationError("bad endpoint \(endpoint)") }
        guard let scenario = Scenario(rawValue: scenario) else { throw ValidationError("unknown scenario \(scenario)") }
        var report = try LoadGenerator(
            endpoint: endpoint, scenario: scenario, connections: connections, duration: duration, warmup: warmup,
            factory: RequestFactory(user: user, password: password)
        ).run()
        report.label = label
        try BenchOutput.print(report)
    }
}
