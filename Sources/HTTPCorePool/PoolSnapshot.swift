public import HTTPCore

/// The pool at one instant, for dashboards and tests: per origin, its connections and
/// the requests waiting for one.
public struct PoolSnapshot: Sendable, Equatable {
    public struct OriginEntry: Sendable, Equatable {
        public var origin: Origin
        public var connections: [ConnectionEntry]
        /// Requests waiting for a connection to this origin.
        public var queuedRequests: Int

        public init(origin: Origin, connections: [ConnectionEntry], queuedRequests: Int) {
            self.origin = origin
            self.connections = connections
            self.queuedRequests = queuedRequests
        }
    }

    public struct ConnectionEntry: Sendable, Equatable {
        public enum State: Sendable, Equatable {
            /// Connecting or handshaking: no request uses it yet.
            case connecting
            /// In use by at least one request.
            case active
            case idle
            /// Takes no new requests (GOAWAY, closed by the peer); closes when released.
            case draining
        }

        /// The pool's id for the connection, as in `PoolEvent`.
        public var id: Int
        public var state: State
        /// Nil while connecting.
        public var version: HTTPVersion?
        /// Requests using it: HTTP/2 streams, or 0 or 1 for HTTP/1.1.
        public var requestsInUse: Int
        /// Requests it can take at once: the peer's stream limit for HTTP/2, 1 for HTTP/1.1.
        public var requestLimit: Int
        /// How long it has been idle, when idle.
        public var idleFor: Duration?
        /// Requests it has been given so far.
        public var requestCount: Int

        public init(id: Int, state: State, version: HTTPVersion?, requestsInUse: Int, requestLimit: Int, idleFor: Duration?, requestCount: Int) {
            self.id = id
            self.state = state
            self.version = version
            self.requestsInUse = requestsInUse
            self.requestLimit = requestLimit
            self.idleFor = idleFor
            self.requestCount = requestCount
        }
    }

    /// Sorted by origin.
    public var origins: [OriginEntry]

    public init(origins: [OriginEntry]) { self.origins = origins }

    /// Requests holding a connection (until their response body ends).
    public var activeRequests: Int { origins.reduce(0) { $0 + $1.connections.reduce(0) { $0 + $1.requestsInUse } } }
    public var queuedRequests: Int { origins.reduce(0) { $0 + $1.queuedRequests } }
    public var connections: [ConnectionEntry] { origins.flatMap(\.connections) }
}

extension ConnectionPool.StateMachine.Entry {
    var state: PoolSnapshot.ConnectionEntry.State {
        switch phase {
        case .connecting: .connecting
        case .draining: .draining
        case .open: inUse > 0 ? .active : .idle
        }
    }
}

extension ConnectionPool.StateMachine {
    /// The machine's side of a snapshot; `version` fills in the protocol of an open one.
    func snapshot(now: HTTPInstant, version: (Int) -> HTTPVersion?) -> PoolSnapshot {
        let entries = origins.map { origin, state in
            PoolSnapshot.OriginEntry(
                origin: origin,
                connections: state.connections.sorted().compactMap { id in
                    connections[id].map { entry in
                        PoolSnapshot.ConnectionEntry(
                            id: id,
                            state: entry.state,
                            version: entry.phase == .connecting ? nil : version(id),
                            requestsInUse: entry.inUse,
                            requestLimit: entry.phase == .connecting ? 0 : entry.capacity,
                            idleFor: entry.isIdle ? entry.idleSince.map { $0.duration(to: now) } : nil,
                            requestCount: entry.requestCount
                        )
                    }
                },
                queuedRequests: state.waiters.count
            )
        }
        return PoolSnapshot(origins: entries.sorted { "\($0.origin)" < "\($1.origin)" })
    }
}
