import HTTPCore

extension ConnectionPool {
    /// The pool's decisions, as a value: which connection a request gets, when to open or
    /// close one, who waits. Every event returns the actions the shell must run (after
    /// releasing its lock); it never awaits and never does I/O.
    ///
    /// A connection is `connecting` (not yet usable), then `open` with a capacity: 1 for
    /// HTTP/1.1, the peer's stream limit for HTTP/2; `draining` once it takes no new
    /// requests but some still use it. Requests in use count against the capacity.
    /// Waiters are served first come, first served, per origin; when the pool is full,
    /// the origin whose oldest waiter came first gets the next free place.
    ///
    /// Work per event is bounded by the origin it touches (its connections and waiters),
    /// not by the whole pool, so a queue of thousands stays cheap.
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
            /// Takes no new requests (GOAWAY, closed by the peer); closes when released.
            case draining
        }

        struct Entry: Equatable {
            let origin: Origin
            var phase = Phase.connecting
            var capacity = 1
            var inUse = 0
            var idleSince: HTTPInstant?
            var requestCount = 0
            var http2 = false
            /// HTTP/2 whose peer has not sent SETTINGS yet: it takes one request, and the
            /// origin does not fan out until the real stream limit is known.
            var awaitingSettings = false

            var isIdle: Bool { phase == .open && inUse == 0 }

            mutating func assigned() {
                inUse += 1
                requestCount += 1
                idleSince = nil
            }
            var hasRoom: Bool { phase == .open && inUse < capacity }
        }

        enum Action: Equatable {
            /// Open connection `id` to `origin` (then report `connected` or `connectFailed`).
            case open(id: Int, origin: Origin)
            /// Waiter `waiter` gets connection `connection`.
            case assign(waiter: Int, connection: Int)
            case close(id: Int)
            /// Stop opening `id`: nobody waits for it (its slot is free already).
            case abandon(id: Int)
            case fail(waiter: Int, HTTPCoreError.Code, String)
        }

        /// One origin's connections and its FIFO of waiters.
        struct OriginState {
            var connections: [Int] = []
            var waiters = WaiterQueue()
        }

        private(set) var connections: [Int: Entry] = [:]
        private(set) var origins: [Origin: OriginState] = [:]
        /// Origins with waiters that wanted a connection when the pool was full, or lost one
        /// while waiting: served first come, first served when room appears.
        private(set) var starved: Set<Origin> = []
        private var nextID = 0
        private var nextTicket = 0
        private(set) var isShutDown = false
        let limits: Limits

        init(limits: Limits) { self.limits = limits }

        /// Waiters in the order they are served, per origin.
        var waiters: [(id: Int, origin: Origin)] {
            origins.flatMap { origin, state in state.waiters.ids.map { ($0, origin) } }
        }

        var waiterCount: Int { origins.values.reduce(0) { $0 + $1.waiters.count } }

        // MARK: Events

        /// A request for `origin` wants a connection; `waiter` is its id.
        mutating func request(_ origin: Origin, waiter: Int) -> [Action] {
            guard !isShutDown else { return [.fail(waiter: waiter, .connectionUnavailable, "the pool is shut down")] }
            nextTicket += 1
            origins[origin, default: OriginState()].waiters.append(waiter, ticket: nextTicket)
            return serve(origin) + serveStarved()
        }

        /// A queued request gave up (cancelled, or its pool timeout passed). Nil if it was
        /// already assigned a connection (its owner then releases it). When it was the
        /// origin's last waiter, attempts still connecting are abandoned, so no connect
        /// outlives every request that wanted it (httpcore#1093).
        mutating func cancel(waiter: Int, origin: Origin) -> [Action]? {
            guard origins[origin]?.waiters.remove(waiter) == true else { return nil }
            var actions: [Action] = []
            if let state = origins[origin], state.waiters.isEmpty {
                for id in state.connections where connections[id]?.phase == .connecting {
                    remove(id)
                    actions.append(.abandon(id: id))
                }
            }
            forgetIfUnused(origin)
            return actions + serveStarved()
        }

        /// Connection `id` is ready. `capacity`: requests at once (1 for HTTP/1.1; for
        /// HTTP/2 the peer's stream limit, nil while its SETTINGS are still on the way).
        mutating func connected(_ id: Int, capacity: Int?, http2: Bool, now: HTTPInstant) -> [Action] {
            guard var entry = connections[id], entry.phase == .connecting else { return [.close(id: id)] }
            entry.phase = .open
            entry.capacity = max(0, capacity ?? 1)
            entry.awaitingSettings = capacity == nil
            entry.http2 = http2
            entry.idleSince = now
            connections[id] = entry
            return serve(entry.origin) + trimKeepalive() + serveStarved()
        }

        /// Opening `id` failed: the oldest waiter for its origin gets the error (it is the
        /// one that caused the attempt); the others may cause new attempts.
        mutating func connectFailed(_ id: Int, error: HTTPCoreError.Code, detail: String) -> [Action] {
            guard let entry = remove(id) else { return [] }
            var actions: [Action] = []
            if let waiter = origins[entry.origin]?.waiters.popFirst() {
                actions.append(.fail(waiter: waiter, error, detail))
            }
            return actions + serve(entry.origin) + serveStarved()
        }

        /// A request finished with connection `id`. `reusable`: it can take another
        /// request (HTTP/1.1 idle and healthy; HTTP/2 accepting new streams).
        mutating func released(_ id: Int, reusable: Bool, now: HTTPInstant) -> [Action] {
            guard var entry = connections[id] else { return [] }
            entry.inUse = max(0, entry.inUse - 1)
            // Not reusable: HTTP/2 streams still running on it finish first.
            if !reusable { entry.phase = .draining }
            if entry.phase == .draining {
                guard entry.inUse == 0 else {
                    connections[id] = entry
                    return serve(entry.origin) + serveStarved()
                }
                remove(id)
                return [.close(id: id)] + serve(entry.origin) + serveStarved()
            }
            if entry.inUse == 0 { entry.idleSince = now }
            connections[id] = entry
            return serve(entry.origin) + trimKeepalive() + serveStarved()
        }

        /// The peer changed an HTTP/2 connection's stream limit (SETTINGS).
        mutating func capacityChanged(_ id: Int, to capacity: Int) -> [Action] {
            guard var entry = connections[id], entry.phase == .open else { return [] }
            entry.capacity = max(0, capacity)
            entry.awaitingSettings = false
            connections[id] = entry
            return serve(entry.origin) + serveStarved()
        }

        /// Connection `id` takes no new requests (GOAWAY, closed by the peer): close it
        /// now if nobody uses it, else once the last user releases it.
        mutating func connectionLost(_ id: Int) -> [Action] {
            guard var entry = connections[id], entry.phase == .open else { return [] }
            if entry.inUse == 0 {
                remove(id)
                return [.close(id: id)] + serve(entry.origin) + serveStarved()
            }
            entry.phase = .draining
            connections[id] = entry
            return serve(entry.origin) + serveStarved()
        }

        /// Closes idle connections past their keep-alive expiry.
        mutating func expire(now: HTTPInstant) -> [Action] {
            guard let expiry = limits.keepaliveExpiry else { return [] }
            let expired = connections.filter { _, entry in
                entry.isIdle && entry.idleSince.map { $0.duration(to: now) >= expiry } ?? false
            }.keys.sorted()
            for id in expired { remove(id) }
            return expired.map { .close(id: $0) } + serveStarved()
        }

        /// When the next idle connection expires, if any does.
        var nextExpiry: HTTPInstant? {
            guard let expiry = limits.keepaliveExpiry else { return nil }
            return connections.values.lazy.filter(\.isIdle).compactMap(\.idleSince).min().map { $0 + expiry }
        }

        /// No more requests: fail every waiter, close every connection not in use (those in
        /// use close when released, which then finds them gone).
        mutating func shutDown() -> [Action] {
            isShutDown = true
            var queued: [(ticket: Int, waiter: Int)] = []
            for state in origins.values { queued += state.waiters.entries }
            var actions = queued.sorted { $0.ticket < $1.ticket }
                .map { Action.fail(waiter: $0.waiter, .connectionUnavailable, "the pool is shut down") }
            actions += connections.keys.sorted().map { .close(id: $0) }
            connections = [:]
            origins = [:]
            starved = []
            return actions
        }

        // MARK: Planning

        /// Gives `origin`'s waiters connections, opening new ones within the limits.
        private mutating func serve(_ origin: Origin) -> [Action] {
            // Runs for every request and release: the common cases (nobody waiting; one
            // waiter and a free connection) touch each table as few times as they can, and
            // change the origin's state in place (a copy taken out and stored back would
            // copy its waiter queue, one allocation per request).
            guard let index = origins.index(forKey: origin) else { return [] }
            if origins.values[index].waiters.isEmpty {
                if origins.values[index].connections.isEmpty { forgetIfUnused(origin) }
                if !starved.isEmpty { starved.remove(origin) }
                return []
            }
            var actions: [Action] = []
            while !origins.values[index].waiters.isEmpty, let id = usableConnection(among: origins.values[index].connections) {
                let waiter = origins.values[index].waiters.popFirst()!
                connections[id]!.assigned()
                actions.append(.assign(waiter: waiter, connection: id))
            }
            var wanted = openingsWanted(for: origin, origins.values[index])
            while wanted > 0 {
                if connections.count >= limits.maxConnections, let victim = longestIdle(notFor: origin) {
                    remove(victim)
                    actions.append(.close(id: victim))
                }
                guard connections.count < limits.maxConnections else {
                    starved.insert(origin)
                    break
                }
                nextID += 1
                connections[nextID] = Entry(origin: origin)
                origins[origin]!.connections.append(nextID)
                actions.append(.open(id: nextID, origin: origin))
                wanted -= 1
            }
            if wanted == 0, !starved.isEmpty { starved.remove(origin) }
            forgetIfUnused(origin)
            return actions
        }

        /// Room appeared in a full pool: origins left waiting get it, oldest waiter first.
        private mutating func serveStarved() -> [Action] {
            guard !starved.isEmpty else { return [] }
            let queue = starved.compactMap { origin in origins[origin]?.waiters.firstTicket.map { (origin, $0) } }
                .sorted { $0.1 < $1.1 }.map(\.0)
            starved = []
            var actions: [Action] = []
            for origin in queue {
                guard connections.count < limits.maxConnections || longestIdle(notFor: origin) != nil else {
                    starved.insert(origin) // no place it could take: keep waiting
                    continue
                }
                actions += serve(origin)
            }
            return actions
        }

        /// An open connection with room; the most recently idle first (warm), and busy
        /// HTTP/2 connections before idle ones (so idle ones can expire).
        private func usableConnection(among ids: [Int]) -> Int? {
            var best: (id: Int, key: Int64)?
            for id in ids {
                guard let entry = connections[id], entry.hasRoom else { continue }
                let key = entry.idleSince?.nanoseconds ?? .max
                if best == nil || key > best!.key || (key == best!.key && id < best!.id) { best = (id, key) }
            }
            return best?.id
        }

        /// How many connections `origin` should start now for its waiters: one per waiter
        /// beyond those being opened; for a connection that may be HTTP/2, one at a time
        /// (it will take every waiter); for HTTP/2 connections all full, one more up to the
        /// per-origin cap.
        private func openingsWanted(for origin: Origin, _ state: OriginState) -> Int {
            guard !state.waiters.isEmpty else { return 0 }
            // Draining connections take no new requests: they count for nothing here.
            var usable = 0, connecting = 0, http2 = false, http1 = false, awaitingSettings = false
            for id in state.connections {
                guard let entry = connections[id], entry.phase != .draining else { continue }
                usable += 1
                if entry.phase == .connecting { connecting += 1 } else if entry.http2 { http2 = true } else { http1 = true }
                if entry.awaitingSettings { awaitingSettings = true }
            }
            let mayBeHTTP2 = limits.http2Schemes.contains(origin.scheme) && !http1
            if mayBeHTTP2, connecting > 0 { return 0 }
            if http2 {
                return !awaitingSettings && connecting == 0 && usable < limits.maxConnectionsPerOrigin ? 1 : 0
            }
            if mayBeHTTP2 { return 1 }
            return max(0, state.waiters.count - connecting)
        }

        /// The idle connection unused longest, of another origin than `origin` (any origin
        /// when nil).
        private func longestIdle(notFor origin: Origin?) -> Int? {
            var best: (id: Int, since: Int64)?
            for (id, entry) in connections where entry.isIdle && entry.origin != origin {
                let since = entry.idleSince?.nanoseconds ?? 0
                if best == nil || since < best!.since || (since == best!.since && id < best!.id) { best = (id, since) }
            }
            return best?.id
        }

        /// Closes the longest-idle connections beyond `maxKeepaliveConnections`.
        private mutating func trimKeepalive() -> [Action] {
            var idleCount = 0
            for entry in connections.values where entry.isIdle { idleCount += 1 }
            let excess = idleCount - limits.maxKeepaliveConnections
            guard excess > 0 else { return [] }
            let victims = connections.filter { $0.value.isIdle }.sorted { ($0.value.idleSince?.nanoseconds ?? 0, $0.key) < ($1.value.idleSince?.nanoseconds ?? 0, $1.key) }
                .prefix(excess).map(\.key)
            for id in victims { remove(id) }
            return victims.map { .close(id: $0) }
        }

        @discardableResult
        private mutating func remove(_ id: Int) -> Entry? {
            guard let entry = connections.removeValue(forKey: id) else { return nil }
            origins[entry.origin]?.connections.removeAll { $0 == id }
            // Its origin's waiters may now want a connection in its place (an HTTP/2
            // origin at its fan-out cap, a connection whose limit was 0).
            if origins[entry.origin]?.waiters.isEmpty == false { starved.insert(entry.origin) }
            forgetIfUnused(entry.origin)
            return entry
        }

        private mutating func forgetIfUnused(_ origin: Origin) {
            if let state = origins[origin], state.connections.isEmpty, state.waiters.isEmpty {
                origins[origin] = nil
                starved.remove(origin)
            }
        }
    }
}
