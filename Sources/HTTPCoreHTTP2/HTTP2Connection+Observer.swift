import HTTPCore

extension HTTP2Connection {
    /// What a pool needs to hear without polling the connection.
    public enum Change: Sendable, Equatable {
        /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS: its first value, then each change.
        case streamLimit(Int)
        /// No new streams from now on: GOAWAY received, or the connection ended.
        case stoppedAcceptingStreams
    }

    struct Observation {
        var observer: (@Sendable (Change) -> Void)?
        var reportedLimit: Int?
        var reportedStopped = false
    }

    /// Calls `observer` with the current state at once, then on each change. One observer
    /// per connection (a later call replaces it). It runs on the reading task, under a
    /// lock of its own: it must not call back into this connection's `observe`.
    public func observe(_ observer: @escaping @Sendable (Change) -> Void) {
        observation.withLock { state in
            state = Observation(observer: observer)
        }
        notifyObserver()
    }

    /// Reports what changed since the last report, in order.
    func notifyObserver() {
        let (limit, accepting) = core.withLock { ($0.machine.slots.peerLimitKnown ? $0.machine.slots.peerLimit : nil, $0.machine.slots.phase == .active) }
        observation.withLock { state in
            guard let observer = state.observer, !state.reportedStopped else { return }
            if accepting, let limit, state.reportedLimit != limit {
                state.reportedLimit = limit
                observer(.streamLimit(limit))
            }
            if !accepting {
                state.reportedStopped = true
                observer(.stoppedAcceptingStreams)
            }
        }
    }
}
