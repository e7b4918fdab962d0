public import Prometheus
import Synchronization
import TokenCore

/// The daemon's Prometheus metrics (`GET /metrics`).
///
/// Kept on an explicit registry rather than only behind swift-metrics' global bootstrap so that every
/// test gets its own; the daemon bootstraps swift-metrics with the same registry, so metrics that
/// libraries emit through swift-metrics appear on `/metrics` too.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let loginsOK: Counter
    let loginsFailed: Counter
    let loginsThrottled: Counter
    let rotations: Counter
    let reuseDetections: Counter
    let pamDuration: DurationHistogram
    let activeSessions: Gauge
    /// The request counters, one per (route pattern, status): both sets are small and bounded, and
    /// keeping them spares every request the registry's name building and locked lookup.
    private let requestCounters = Mutex<[RouteStatus: Counter]>([:])
    /// The request-duration histograms, one per route pattern.
    private let requestDurations = Mutex<[String: DurationHistogram]>([:])
    /// `process_*`, refreshed from /proc at every scrape.
    private let process: ProcessMetrics

    private struct RouteStatus: Hashable {
        var route: String
        var status: Int
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let logins = Self.name("logins", unit: "total", "Password and peer-credential logins by result.")
        loginsOK = registry.makeCounter(descriptor: logins, labels: [("result", "ok")])
        loginsFailed = registry.makeCounter(descriptor: logins, labels: [("result", "failed")])
        loginsThrottled = registry.makeCounter(descriptor: logins, labels: [("result", "throttled")])
        rotations = registry.makeCounter(descriptor: Self.name("refresh_rotations", unit: "total", "Refresh tokens exchanged for a new pair."))
        reuseDetections = registry.makeCounter(
            descriptor: Self.name("refresh_reuse_detections", unit: "total", "Used refresh tokens presented again; each revoked a session."))
        pamDuration = registry.makeDurationHistogram(
            descriptor: Self.name("pam_duration", unit: "seconds", "Time spent in PAM transactions."),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)])
        activeSessions = registry.makeGauge(descriptor: Self.name("active_sessions", unit: "", "Sessions neither revoked nor expired."))
        // The convention of Prometheus exporters: a constant 1 whose labels say what is running.
        registry.makeGauge(
            descriptor: Self.name("build_info", unit: "", "Always 1; the labels say which pamtoken is running."),
            labels: [("version", PamtokenVersion.string)]
        ).set(1.0)
        process = ProcessMetrics(registry: registry)
    }

    /// Counts one HTTP request and records how long it took.
    public func request(route: String, status: Int, duration: Duration = .zero) {
        let key = RouteStatus(route: route, status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = requestDurations.withLock { histograms in
            if let histogram = histograms[route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: Self.name("http_request_duration", unit: "seconds", "Time from request head to response, by route."),
                labels: [("route", route)], buckets: Self.durationBuckets)
            histograms[route] = histogram
            return histogram
        }
        histogram.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// From a JWKS served from memory (~50 µs) to a login with the uniform failure delay (≥ 1 s).
    private static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    private static var requests: MetricNameDescriptor { name("http_requests", unit: "total", "HTTP requests by route and status.") }

    private static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "pamtoken", metricName: metric, unitName: unit, helpText: help)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        process.refresh()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
