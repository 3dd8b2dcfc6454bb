import HTTPCore
import Synchronization

/// A request's trace as the client passes it down, so that its last event is the one
/// that ended the request, and an earlier final event is always one the client sends
/// again after (`HTTPClientObserver`'s promise, which a span relies on to end once):
///
/// - a failure raised above the pool (a redirect loop, a hook, a build error) is recorded
///   once as `.failed`, and one the pool already recorded is not recorded twice;
/// - a `.failed` recorded while the client still decides whether to send the request
///   again is held: a `.retry` that follows names the failure and replaces it, and
///   `fail` passes it on when the client gives up.
final class TraceEnding: Sendable {
    private struct State {
        /// Whether the last event passed on (or held) ended the request.
        var ended = false
        /// Until `settled` or `fail`: the client may still send the request again.
        var deciding = true
        var held: RequestTrace.Entry?
    }

    private let inner: RequestTrace
    private let state = Mutex(State())

    init(_ inner: RequestTrace) { self.inner = inner }

    var trace: RequestTrace {
        RequestTrace { [self] entry in
            let (flush, pass) = state.withLock { state -> (RequestTrace.Entry?, Bool) in
                state.ended = entry.event.isFinal
                if state.deciding, case .failed = entry.event {
                    state.held = entry
                    return (nil, false)
                }
                defer { state.held = nil }
                if case .retry = entry.event { return (nil, true) } // the retry names the failure it replaces
                return (state.held, true)
            }
            if let flush { inner.record(flush) }
            if pass { inner.record(entry) }
        }
    }

    /// The client sent its last attempt and has a response: later events (the body's)
    /// pass straight on.
    func settled() {
        let flush = state.withLock { state in
            state.deciding = false
            defer { state.held = nil }
            return state.held
        }
        if let flush { inner.record(flush) }
    }

    /// The request failed for good: the held `.failed`, else `.failed(error)` unless the
    /// last event already ended the request.
    func fail(_ error: HTTPCoreError, at instant: HTTPInstant) {
        let (flush, record) = state.withLock { state -> (RequestTrace.Entry?, Bool) in
            state.deciding = false
            defer { state.held = nil; state.ended = true }
            return (state.held, state.held == nil && !state.ended)
        }
        if let flush { inner.record(flush) }
        if record { inner.record(.failed(error), at: instant) }
    }
}
