/// What `hx bench` counts, per worker and then merged: every response is checked for a
/// 2xx status and a body of the expected length (its Content-Length when sent, else the
/// length of the first body any worker received).
public struct BenchTally: Sendable {
    public private(set) var succeeded = 0
    public private(set) var failedStatus = 0
    public private(set) var failedLength = 0
    public private(set) var errored = 0
    /// Responses by status class: index 1 for 1xx ... 5 for 5xx (0 for anything else).
    public private(set) var statusClasses = [Int](repeating: 0, count: 6)
    public private(set) var bodyBytes = 0
    /// Latency of every finished request (response or error), in nanoseconds.
    public private(set) var latencies: [UInt64] = []
    /// Error messages and how often each occurred.
    public private(set) var errors: [String: Int] = [:]

    public init() {}

    public var done: Int { succeeded + failedStatus + failedLength + errored }

    /// Records one response. `expected` is the body length every response must have, when
    /// already known; `contentLength` the response's own field, which wins when present.
    public mutating func record(status: Int, contentLength: Int?, bodyBytes received: Int, expected: Int?, latency: UInt64) {
        latencies.append(latency)
        statusClasses[(1...5).contains(status / 100) ? status / 100 : 0] += 1
        bodyBytes += received
        if !(200...299).contains(status) {
            failedStatus += 1
        } else if let want = contentLength ?? expected, want != received {
            failedLength += 1
            errors["body of \(received) bytes, expected \(want)", default: 0] += 1
        } else {
            succeeded += 1
        }
    }

    public mutating func recordError(_ message: String, latency: UInt64) {
        latencies.append(latency)
        errored += 1
        errors[message, default: 0] += 1
    }

    public mutating func merge(_ other: BenchTally) {
        succeeded += other.succeeded
        failedStatus += other.failedStatus
        failedLength += other.failedLength
        errored += other.errored
        for index in statusClasses.indices { statusClasses[index] += other.statusClasses[index] }
        bodyBytes += other.bodyBytes
        latencies += other.latencies
        errors.merge(other.errors, uniquingKeysWith: +)
    }
}
