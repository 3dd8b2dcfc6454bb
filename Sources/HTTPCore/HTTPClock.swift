/// A point on a monotonic clock, in nanoseconds from an arbitrary origin.
public struct HTTPInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: HTTPInstant, rhs: HTTPInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: HTTPInstant, rhs: Duration) -> HTTPInstant {
        HTTPInstant(nanoseconds: lhs.nanoseconds &+ rhs.nanosecondsClamped)
    }

    /// The time from `self` to `other` (negative if `other` is earlier).
    public func duration(to other: HTTPInstant) -> Duration {
        .nanoseconds(other.nanoseconds &- nanoseconds)
    }

    public var description: String { "t+\(Duration.nanoseconds(nanoseconds))" }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to `Int64`.
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (seconds < 0 ? .min : .max) : sum
    }
}

/// The time source every layer reads: backends hand theirs to connections, so a test can
/// swap in the mock's `ManualClock` and never sleep.
public protocol HTTPClock: Sendable {
    var now: HTTPInstant { get }
    /// Suspends until `deadline`; throws `HTTPCoreError.cancelled` if the task is cancelled.
    func sleep(until deadline: HTTPInstant) async throws
}

extension HTTPClock {
    /// The earlier of `now + timeout` and `deadline`, or whichever exists.
    public func deadline(after timeout: Duration?, capping deadline: HTTPInstant?) -> HTTPInstant? {
        let fromTimeout = timeout.map { now + $0 }
        switch (fromTimeout, deadline) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b): return b
        }
    }
}

/// Wall time from the system's monotonic clock (`ContinuousClock`).
public struct SystemClock: HTTPClock {
    private static let origin = ContinuousClock.now

    public init() {}

    public var now: HTTPInstant {
        HTTPInstant(nanoseconds: SystemClock.origin.duration(to: .now).nanosecondsClamped)
    }

    public func sleep(until deadline: HTTPInstant) async throws {
        let target = SystemClock.origin.advanced(by: .nanoseconds(deadline.nanoseconds))
        do {
            try await ContinuousClock().sleep(until: target, tolerance: nil)
        } catch {
            throw HTTPCoreError(.cancelled, "sleep cancelled")
        }
    }
}
