import Foundation

/// How much longer than usual the suite's hang guards wait: `HTTPCORE_TEST_TIME_SCALE`
/// (default 1). `scripts/sanitizers.sh` sets it, because ThreadSanitizer makes the code
/// 5 to 15 times slower and a guard sized for a plain build then calls a slow but
/// correct exchange a hang. Only guards scale, never a timeout whose length a test
/// asserts.
package enum TestTiming {
    package static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["HTTPCORE_TEST_TIME_SCALE"], let value = Double(text), value >= 1 else { return 1 }
        return value
    }()

    /// `duration` stretched by `scale`.
    package static func guardTime(_ duration: Duration) -> Duration { duration * scale }
}
