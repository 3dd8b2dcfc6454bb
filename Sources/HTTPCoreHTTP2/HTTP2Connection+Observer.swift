public import HTTPCore

extension HTTP2Connection {
    struct Observation {
        var observer: (@Sendable (ConnectionChange) -> Void)?
        var reportedLimit: Int?
        var reportedStopped = false
    }

    /// Calls `observer` with the current state at once, then on each change: the peer's
    /// SETTINGS_MAX_CONCURRENT_STREAMS as `.requestLimit` (its first value, then each
    /// change), and GOAWAY or the end of the connection as `.stoppedAcceptingRequests`.
    /// One observer per connection (a later call replaces it). It runs on the reading
    /// task, under a lock of its own: it must not call back into this connection's
    /// `observe`.
    public func observe(_ observer: @escaping @Sendable (ConnectionChange) -> Void) {
        observation.withLock { state in
            state = Observation(observer: observer)
        }
        notifyObserver()
    }

    /// Reports what changed since the last report, in order.
    func notifyObserver() {
        let (limit, accepting) = state.withLock { state in
            // While a stream's timeout has the peer's liveness in question, no new streams.
            let limit = state.machine.awaitingLiveness ? 0 : state.machine.slots.peerLimit
            return (state.machine.slots.peerLimitKnown ? limit : nil, state.machine.slots.phase == .active)
        }
        observation.withLock { state in
            guard let observer = state.observer, !state.reportedStopped else { return }
            if accepting, let limit, state.reportedLimit != limit {
                state.reportedLimit = limit
                observer(.requestLimit(limit))
            }
            if !accepting {
                state.reportedStopped = true
                observer(.stoppedAcceptingRequests)
            }
        }
    }

    // MARK: - Connection, for the pool

    /// `acceptsNewStreams`: open and not draining after GOAWAY.
    public var acceptsNewRequests: Bool { acceptsNewStreams }

    public var version: HTTPVersion { .http2 }

    /// `peerStreamLimit`: nil until the peer's first SETTINGS.
    public var requestLimit: Int? { peerStreamLimit }
}
