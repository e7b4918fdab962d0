import Foundation
import Histogram
import Synchronization

/// Runs one async operation in a loop on `tasks` concurrent tasks for a fixed time and reports
/// operations per second and latency percentiles: the in-process ceilings the routes are compared to.
struct LimitLoop: Sendable {
    let name: String
    let tasks: Int
    let duration: Double

    func run(_ operation: @escaping @Sendable (_ task: Int) async throws -> Void) async throws -> LimitReport {
        let deadline = Monotonic.now + UInt64(duration * 1e9)
        let results = try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
                    var count = 0
                    while Monotonic.now < deadline {
                        let started = Monotonic.now
                        try await operation(task)
                        _ = histogram.record(Monotonic.now - started)
                        count += 1
                    }
                    return (count, histogram)
                }
            }
            var all: [(Int, Histogram<UInt64>)] = []
            for try await result in group { all.append(result) }
            return all
        }
        var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for (_, histogram) in results { merged.add(histogram) }
        let operations = results.reduce(0) { $0 + $1.0 }
        return LimitReport(
            limit: name, tasks: tasks, seconds: duration, operations: operations, opsPerSecond: Double(operations) / duration,
            p50Micros: Double(merged.valueAtPercentile(50)) / 1000, p99Micros: Double(merged.valueAtPercentile(99)) / 1000)
    }
}

/// One line of output for an in-process limit.
struct LimitReport: Codable, Sendable {
    var kind = "limit"
    var limit: String
    var tasks: Int
    var seconds: Double
    var operations: Int
    var opsPerSecond: Double
    var p50Micros: Double
    var p99Micros: Double
}
