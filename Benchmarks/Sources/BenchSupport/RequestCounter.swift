import Synchronization

/// Hands out request numbers to concurrent workers, so together they make exactly `limit`
/// requests however the work spreads over them, and sums what they received.
public final class RequestCounter: Sendable {
    private let next = Atomic<Int>(0)
    private let done = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    /// True while requests remain; each true answer is one request the caller must make.
    public func take() -> Bool { next.add(1, ordering: .relaxed).oldValue < limit }

    /// Records one checked response.
    public func record(bodyBytes: Int) {
        done.add(1, ordering: .relaxed)
        bytes.add(bodyBytes, ordering: .relaxed)
    }

    public var completed: Int { done.load(ordering: .relaxed) }
    public var bodyBytes: Int { bytes.load(ordering: .relaxed) }
}
