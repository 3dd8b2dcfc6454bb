/// Summary of request latencies: min, max, mean, standard deviation and percentiles by
/// the nearest-rank method (the p-th percentile is the smallest sample with at least p%
/// of the samples at or below it).
public struct LatencyStats: Sendable, Hashable {
    public let count: Int
    public let min: UInt64
    public let max: UInt64
    public let mean: Double
    public let standardDeviation: Double
    public let p50: UInt64
    public let p90: UInt64
    public let p99: UInt64

    /// Nil when there are no samples. Sorts a copy of `nanoseconds`.
    public init?(nanoseconds: [UInt64]) {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        count = sorted.count
        min = sorted.first!
        max = sorted.last!
        let mean = sorted.reduce(0.0) { $0 + Double($1) } / Double(sorted.count)
        self.mean = mean
        standardDeviation = (sorted.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(sorted.count)).squareRoot()
        p50 = Self.percentile(50, sorted: sorted)
        p90 = Self.percentile(90, sorted: sorted)
        p99 = Self.percentile(99, sorted: sorted)
    }

    /// The nearest-rank `p`-th percentile (0 < p <= 100) of ascending `sorted`, which must
    /// not be empty.
    public static func percentile(_ p: Double, sorted: [UInt64]) -> UInt64 {
        precondition(!sorted.isEmpty && p > 0 && p <= 100)
        let rank = Int((p * Double(sorted.count) / 100).rounded(.up))
        return sorted[Swift.max(1, Swift.min(rank, sorted.count)) - 1]
    }
}
