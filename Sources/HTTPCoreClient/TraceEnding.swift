import HTTPCore
import Synchronization

/// A request's trace as the client passes it down, so that its last event is the one
/// that ended the request, and an earlier final event is always one the client sends
/// again after (`HTTPClientObserver`'s promise, which a span relies on to end once):
///
/// - while the client still decides whether to send the request again, a final event is
///   held: the next event passes it on (a `.retry` after a held `.failed` names that
///   failure and replaces it);
/// - when the client gives up (`fail`), a held `.failed` is passed on, and anything else
///   held (the body of a redirect it did not follow, let go) is replaced by `.failed`
///   with the client's error, unless a `.failed` was the last event passed on;
/// - once the client has its response (`settled`), events pass straight on.
final class TraceEnding: Sendable {
    private struct State {
        /// Until `settled` or `fail`: the client may still send the request again.
        var deciding = true
        var held: RequestTrace.Entry?
        /// Whether the last event passed on was `.failed`.
        var failedLast = false
    }

    private let inner: RequestTrace
    private let state = Mutex(State())

    init(_ inner: RequestTrace) { self.inner = inner }

    var trace: RequestTrace {
        RequestTrace { [self] entry in
            let (flush, pass) = state.withLock { state -> (RequestTrace.Entry?, Bool) in
                let previous = state.held
                if state.deciding, entry.event.isFinal {
                    state.held = entry
                    if previous != nil { state.failedLast = Self.isFailed(previous) }
                    return (previous, false)
                }
                state.held = nil
                state.failedLast = Self.isFailed(entry)
                // The retry names the failure it replaces.
                if case .retry = entry.event, Self.isFailed(previous) { return (nil, true) }
                return (previous, true)
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

    /// The request failed for good: a held `.failed` is its end; otherwise `.failed(error)`,
    /// unless the pool's `.failed` was already the last event.
    func fail(_ error: HTTPCoreError, at instant: HTTPInstant) {
        let (flush, record) = state.withLock { state -> (RequestTrace.Entry?, Bool) in
            state.deciding = false
            defer {
                state.held = nil
                state.failedLast = true
            }
            if Self.isFailed(state.held) { return (state.held, false) }
            return (nil, state.held != nil || !state.failedLast)
        }
        if let flush { inner.record(flush) }
        if record { inner.record(.failed(error), at: instant) }
    }

    private static func isFailed(_ entry: RequestTrace.Entry?) -> Bool {
        if case .failed? = entry?.event { true } else { false }
    }
}
