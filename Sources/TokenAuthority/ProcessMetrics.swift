import Foundation
import Prometheus

#if canImport(Glibc)
import Glibc
#endif

/// The `process_*` metrics every Prometheus exporter offers (resident memory, CPU time, open and
/// maximum file descriptors, start time), read from `/proc/self` when `/metrics` is scraped.
///
/// Written here because swift-prometheus 2 has no process collector; the names and units are those
/// of the Prometheus client libraries', so existing dashboards and alerts work unchanged.
final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let cpuSeconds: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge

    init(registry: PrometheusCollectorRegistry) {
        residentMemory = registry.makeGauge(descriptor: Self.name("resident_memory", "bytes", "Resident memory size in bytes."))
        virtualMemory = registry.makeGauge(descriptor: Self.name("virtual_memory", "bytes", "Virtual memory size in bytes."))
        // A gauge named like the clients' counter: the value is read, not counted, here.
        cpuSeconds = registry.makeGauge(descriptor: Self.name("cpu_seconds", "total", "Total user and system CPU time spent in seconds."))
        openFDs = registry.makeGauge(descriptor: Self.name("open_fds", "", "Number of open file descriptors."))
        maxFDs = registry.makeGauge(descriptor: Self.name("max_fds", "", "Maximum number of open file descriptors."))
        startTime = registry.makeGauge(descriptor: Self.name("start_time", "seconds", "Start time of the process since the Unix epoch in seconds."))
        refresh()
    }

    /// Reads `/proc/self/stat`, `/proc/self/fd` and `RLIMIT_NOFILE`. A value that cannot be read keeps its last one.
    func refresh() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            // Fields after "(comm)": state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24 (proc(5)).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            if let user = field(14), let system = field(15), ticks > 0 { cpuSeconds.set((user + system) / ticks) }
            if let vsize = field(23) { virtualMemory.set(vsize) }
            if let rss = field(24) { residentMemory.set(rss * page) }
            if let started = field(22), ticks > 0, let boot = Self.bootTime { startTime.set(boot + started / ticks) }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { openFDs.set(Double(entries.count - 1)) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(Double(limit.rlim_cur)) }
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "process", metricName: metric, unitName: unit, helpText: help)
    }

    /// `btime` of `/proc/stat`: when the machine booted, in seconds since the epoch.
    private static let bootTime: Double? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }()
}
