#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Wall time from the system's monotonic clock. `now` is read on every request, more
/// than once: one `clock_gettime` here, against `ContinuousClock`'s 128-bit arithmetic.
public struct SystemClock: HTTPClock {
    public init() {}

    public var now: HTTPInstant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return HTTPInstant(nanoseconds: Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec))
    }

    public func sleep(until deadline: HTTPInstant) async throws {
        do {
            try await ContinuousClock().sleep(for: now.duration(to: deadline), tolerance: nil)
        } catch {
            throw HTTPCoreError(.cancelled, "sleep cancelled")
        }
    }
}
