import HTTPCore

extension ConnectionPool {
    /// The pool's decisions, as a value: which connection a request gets, when to open or
    /// close one, who waits. Every event returns the actions the shell must run (after
    /// releasing its lock); it never awaits and never does I/O.
    ///
    /// A connection is `connecting` (not yet usable), then `open` with a capacity: 1 for
    /// HTTP/1.1, the peer's stream limit for HTTP/2. Requests in use count against it.
    /// Waiters are served first come, first served, per origin.
    struct StateMachine {
        struct Limits {
            var maxConnections: Int
            var maxKeepaliveConnections: Int
            var keepaliveExpiry: Duration?
            /// HTTP/2 fan-out: connections per origin opened because the others are full.
            var maxConnectionsPerOrigin: Int
            /// Schemes whose connections may turn out to be HTTP/2 (https with `http2` on,
            /// http with only `http2`): waiters then queue for a connection being opened
            /// instead of each opening their own.
            var http2Schemes: Set<String>
        }

        enum Phase: Equatable {
            case connecting
            case open
        }

        struct Entry: Equatable {
            let origin: Origin
            var phase = Phase.connecting
            var capacity = 1
            var inUse = 0
            var idleSince: HTTPInstant?
            var requestCount = 0
            var http2 = false
        }

        enum Action: Equatable {
            /// Open connection `id` to `origin` (then report `connected` or `connectFailed`).
            case open(id: Int, origin: Origin)
            /// Waiter `waiter` gets connection `connection`.
            case assign(waiter: Int, connection: Int)
            case close(id: Int)
            case fail(waiter: Int, HTTPCoreError.Code, String)
        }

        private(set) var connections: [Int: Entry] = [:]
        /// FIFO: waiter id and origin.
        private(set) var waiters: [(id: Int, origin: Origin)] = []
        private var nextID = 0
        private(set) var isShutDown = false
        let limits: Limits

        init(limits: Limits) { self.limits = limits }

        // MARK: Events

        /// A request for `origin` wants a connection; `waiter` is its id.
        mutating func request(_ origin: Origin, waiter: Int, now: HTTPInstant) -> [Action] {
            guard !isShutDown else { return [.fail(waiter: waiter, .connectionUnavailable, "the pool is shut down")] }
            waiters.append((waiter, origin))
            return serve(now: now)
        }

        /// A queued request gave up (cancelled, or its pool timeout passed). False if it was
        /// already assigned a connection (its owner then releases it).
        mutating func cancel(waiter: Int) -> Bool {
            guard let index = waiters.firstIndex(where: { $0.id == waiter }) else { return false }
            waiters.remove(at: index)
            return true
        }

        mutating func connected(_ id: Int, capacity: Int, http2: Bool, now: HTTPInstant) -> [Action] {
            guard connections[id] != nil else { return [.close(id: id)] }
            connections[id]!.phase = .open
            connections[id]!.capacity = max(0, capacity)
            connections[id]!.http2 = http2
            connections[id]!.idleSince = now
            return serve(now: now)
        }

        /// Opening `id` failed: the oldest waiter for its origin gets the error (it is the
        /// one that caused the attempt); the others may cause new attempts.
        mutating func connectFailed(_ id: Int, error: HTTPCoreError.Code, detail: String, now: HTTPInstant) -> [Action] {
            guard let entry = connections.removeValue(forKey: id) else { return [] }
            var actions: [Action] = []
            if let index = waiters.firstIndex(where: { $0.origin == entry.origin }) {
                actions.append(.fail(waiter: waiters.remove(at: index).id, error, detail))
            }
            return actions + serve(now: now)
        }

        /// A request finished with connection `id`. `reusable`: it can take another
        /// request (HTTP/1.1 idle and healthy; HTTP/2 not closed).
        mutating func released(_ id: Int, reusable: Bool, now: HTTPInstant) -> [Action] {
            guard var entry = connections[id] else { return [] }
            entry.inUse = max(0, entry.inUse - 1)
            if !reusable {
                connections[id] = nil
                return [.close(id: id)] + serve(now: now)
            }
            if entry.inUse == 0 { entry.idleSince = now }
            connections[id] = entry
            return serve(now: now) + trimKeepalive()
        }

        /// Closes idle connections past their keep-alive expiry.
        mutating func expire(now: HTTPInstant) -> [Action] {
            guard let expiry = limits.keepaliveExpiry else { return [] }
            let expired = connections.filter { _, entry in
                entry.phase == .open && entry.inUse == 0 && entry.idleSince.map { $0.duration(to: now) >= expiry } ?? false
            }
            for id in expired.keys { connections[id] = nil }
            return expired.keys.sorted().map { .close(id: $0) }
        }

        /// No more requests: fail every waiter, close every connection not in use (those in
        /// use close when released, which then finds them gone).
        mutating func shutDown() -> [Action] {
            isShutDown = true
            var actions = waiters.map { Action.fail(waiter: $0.id, .connectionUnavailable, "the pool is shut down") }
            waiters = []
            for id in connections.keys.sorted() { actions.append(.close(id: id)) }
            connections = [:]
            return actions
        }

        // MARK: Planning

        /// Gives waiters connections, opening new ones within the limits.
        ///
        /// One pass over the queue, linear in its length: the waiters still queued ahead
        /// are counted per origin as the pass goes, and an origin found with no usable
        /// connection is not searched again in the same pass (the connections it opens
        /// are only connecting).
        private mutating func serve(now: HTTPInstant) -> [Action] {
            var actions: [Action] = []
            var index = 0
            var waitingAhead: [Origin: Int] = [:]
            var full: Set<Origin> = []
            while index < waiters.count {
                let (waiter, origin) = waiters[index]
                if !full.contains(origin), let id = usableConnection(for: origin) {
                    connections[id]!.inUse += 1
                    connections[id]!.requestCount += 1
                    connections[id]!.idleSince = nil
                    waiters.remove(at: index)
                    actions.append(.assign(waiter: waiter, connection: id))
                    continue
                }
                full.insert(origin)
                if shouldOpen(for: origin, waitingAhead: waitingAhead[origin, default: 0]) {
                    if connections.count >= limits.maxConnections, let victim = idleConnection(notFor: origin) {
                        connections[victim] = nil
                        actions.append(.close(id: victim))
                    }
                    if connections.count < limits.maxConnections {
                        nextID += 1
                        connections[nextID] = Entry(origin: origin)
                        actions.append(.open(id: nextID, origin: origin))
                    }
                }
                waitingAhead[origin, default: 0] += 1
                index += 1
            }
            return actions
        }

        /// An open connection to `origin` with room; the most recently idle first (warm).
        private func usableConnection(for origin: Origin) -> Int? {
            connections
                .filter { $0.value.origin == origin && $0.value.phase == .open && $0.value.inUse < $0.value.capacity }
                .max { ($0.value.idleSince?.nanoseconds ?? .max, -$0.key) < ($1.value.idleSince?.nanoseconds ?? .max, -$1.key) }?
                .key
        }

        /// Whether a waiter with `waitingAhead` others of its origin queued before it needs
        /// a connection of its own: more waiters for this origin than connections being
        /// opened could take, within the per-origin cap.
        private func shouldOpen(for origin: Origin, waitingAhead: Int) -> Bool {
            let mine = connections.values.filter { $0.origin == origin }
            let connecting = mine.filter { $0.phase == .connecting }.count
            // A connection being opened that may speak HTTP/2 will take every waiter, unless
            // this origin already answered with HTTP/1.1.
            let knownHTTP1 = mine.contains { $0.phase == .open && !$0.http2 }
            if limits.http2Schemes.contains(origin.scheme), !knownHTTP1, connecting > 0 { return false }
            if waitingAhead + 1 <= connecting { return false }
            // HTTP/2 connections all full: fan out up to the cap.
            if mine.contains(where: \.http2) { return mine.count < limits.maxConnectionsPerOrigin }
            return true
        }

        private func idleConnection(notFor origin: Origin) -> Int? {
            connections
                .filter { $0.value.origin != origin && $0.value.phase == .open && $0.value.inUse == 0 }
                .min { ($0.value.idleSince?.nanoseconds ?? 0, $0.key) < ($1.value.idleSince?.nanoseconds ?? 0, $1.key) }?
                .key
        }

        /// Closes the longest-idle connections beyond `maxKeepaliveConnections`.
        private mutating func trimKeepalive() -> [Action] {
            let idle = connections.filter { $0.value.phase == .open && $0.value.inUse == 0 }
                .sorted { ($0.value.idleSince?.nanoseconds ?? 0, $0.key) < ($1.value.idleSince?.nanoseconds ?? 0, $1.key) }
            let excess = idle.count - limits.maxKeepaliveConnections
            guard excess > 0 else { return [] }
            return idle.prefix(excess).map { id, _ in
                connections[id] = nil
                return .close(id: id)
            }
        }
    }
}
