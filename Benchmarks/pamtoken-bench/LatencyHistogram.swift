import Histogram

/// The one histogram shape every measurement uses: nanoseconds up to a minute, three significant
/// digits; reported in microseconds.
extension Histogram where Count == UInt64 {
    static func latency() -> Self {
        Histogram(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    /// The value at `percentile`, in microseconds.
    func micros(atPercentile percentile: Double) -> Double {
        Double(valueAtPercentile(percentile)) / 1000
    }

    /// All `histograms` added together.
    static func merged(_ histograms: some Sequence<Self>) -> Self {
        histograms.reduce(into: .latency()) { $0.add($1) }
    }
}
