import Dispatch
import Foundation
import Histogram
import Synchronization

/// N keep-alive connections, one thread each, sending one scenario's requests back to back for a
/// fixed time after a warm-up; latencies go into HdrHistograms that are merged at the end.
///
/// Threads rather than tasks: each connection blocks in `read` on its own kernel thread, which is
/// the cheapest way to keep N requests in flight without an event loop of our own.
struct LoadGenerator: Sendable {
    let endpoint: Endpoint
    let scenario: Scenario
    let connections: Int
    let duration: Double
    let warmup: Double
    let factory: RequestFactory

    /// What every connection thread reports when its time is up.
    private struct Outcome: Sendable {
        var histogram = Histogram<UInt64>.latency()
        var requests = 0
        var errors = 0
        var firstError: String?
    }

    private final class Shared: Sendable {
        let outcomes = Mutex<[Outcome]>([])
        let measureFrom = Atomic<UInt64>(0)
        let ready = DispatchGroup()
        let finished = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
    }

    func run() throws -> LoadReport {
        // Introspection and userinfo need an access token; one, shared, is what a busy relying party sends.
        let accessToken: String?
        if scenario == .introspect || scenario == .userinfo {
            let response = try HTTPConnection(endpoint).exchange(factory.passwordGrant)
            guard response.status == 200, let token = RequestFactory.member("access_token", in: response.body) else {
                throw HTTPConnection.Failure("login for an access token failed: \(response.status) \(response.bodyText)")
            }
            accessToken = token
        } else {
            accessToken = nil
        }

        let shared = Shared()
        for _ in 0..<connections {
            shared.ready.enter()
            shared.finished.enter()
            let thread = Thread { [self] in
                let outcome = connectionLoop(shared: shared, accessToken: accessToken)
                shared.outcomes.withLock { $0.append(outcome) }
                shared.finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        shared.ready.wait()
        let begin = Monotonic.now
        shared.measureFrom.store(begin + UInt64(warmup * 1e9), ordering: .releasing)
        for _ in 0..<connections { shared.go.signal() }
        shared.finished.wait()

        let outcomes = shared.outcomes.withLock { $0 }
        let merged = Histogram.merged(outcomes.map(\.histogram))
        let requests = outcomes.reduce(0) { $0 + $1.requests }
        return LoadReport(
            scenario: scenario.rawValue, transport: endpoint.transport, connections: connections, seconds: duration,
            requests: requests, errors: outcomes.reduce(0) { $0 + $1.errors }, rps: Double(requests) / duration,
            p50Micros: merged.micros(atPercentile: 50), p90Micros: merged.micros(atPercentile: 90),
            p99Micros: merged.micros(atPercentile: 99), maxMicros: Double(merged.max) / 1000,
            firstError: outcomes.lazy.compactMap(\.firstError).first)
    }

    /// One connection: set up (its own refresh chain, if the scenario rotates), wait for the start,
    /// then request after request until the deadline. Requests that start before the warm-up ends are
    /// sent but not counted.
    private func connectionLoop(shared: Shared, accessToken: String?) -> Outcome {
        var outcome = Outcome()
        var connection: HTTPConnection?
        var refreshToken: String?
        do {
            connection = try HTTPConnection(endpoint)
            if scenario == .refresh { refreshToken = try login(connection!) }
        } catch {
            outcome.errors += 1
            outcome.firstError = "setup: \(error)"
        }
        shared.ready.leave()
        shared.go.wait()
        guard var connection else { return outcome }

        let measureFrom = shared.measureFrom.load(ordering: .acquiring)
        let deadline = measureFrom + UInt64(duration * 1e9)
        while true {
            let started = Monotonic.now
            if started >= deadline { break }
            let request: [UInt8] =
                switch scenario {
                case .password: factory.passwordGrant
                case .refresh: factory.refreshGrant(refreshToken ?? "")
                case .introspect: factory.introspect(accessToken!)
                case .userinfo: factory.userinfo(accessToken!)
                case .jwks: RequestFactory.jwks
                case .tutorial: factory.tutorial
                case .healthz: RequestFactory.healthz
                }
            var failure: String?
            do {
                let response = try connection.exchange(request)
                if response.status != 200 { failure = "\(response.status) \(response.bodyText.prefix(200))" }
                if scenario == .refresh {
                    refreshToken = RequestFactory.member("refresh_token", in: response.body)
                    // A broken chain (it should not happen) starts again from a login, counted as an error.
                    if refreshToken == nil { refreshToken = try login(connection) }
                }
                if scenario == .introspect, response.status == 200, !response.bodyText.contains("\"active\":true") {
                    failure = "introspection said inactive"
                }
            } catch {
                failure = "\(error)"
                if let fresh = try? HTTPConnection(endpoint) { connection = fresh }
            }
            let finished = Monotonic.now
            guard started >= measureFrom else { continue }
            if let failure {
                outcome.errors += 1
                outcome.firstError = outcome.firstError ?? failure
            } else {
                outcome.requests += 1
                _ = outcome.histogram.record(finished - started)
            }
        }
        return outcome
    }

    private func login(_ connection: HTTPConnection) throws -> String {
        let response = try connection.exchange(factory.passwordGrant)
        guard response.status == 200, let token = RequestFactory.member("refresh_token", in: response.body) else {
            throw HTTPConnection.Failure("login failed: \(response.status) \(response.bodyText.prefix(200))")
        }
        return token
    }
}

/// One line of the benchmark's output.
struct LoadReport: Codable, Sendable {
    var kind = "route"
    var scenario: String
    var transport: String
    var connections: Int
    var seconds: Double
    var requests: Int
    var errors: Int
    var rps: Double
    var p50Micros: Double
    var p90Micros: Double
    var p99Micros: Double
    var maxMicros: Double
    var firstError: String?
    var label: String?
}
