import HTTPCore
import Synchronization

/// A request's trace as the client passes it down, remembering whether the last event
/// ended the request, so a failure raised above the pool (a redirect loop, a hook, a
/// build error) is recorded once as `.failed`, and one the pool already recorded is not
/// recorded twice.
final class TraceEnding: Sendable {
    private let inner: RequestTrace
    private let ended = Atomic(false)

    init(_ inner: RequestTrace) { self.inner = inner }

    var trace: RequestTrace {
        RequestTrace { [self] entry in
            ended.store(entry.event.isFinal, ordering: .relaxed)
            inner.record(entry)
        }
    }

    /// Records `.failed(error)` unless the last event already ended the request.
    func fail(_ error: HTTPCoreError, at instant: HTTPInstant) {
        guard !ended.load(ordering: .relaxed) else { return }
        inner.record(.failed(error), at: instant)
    }
}
