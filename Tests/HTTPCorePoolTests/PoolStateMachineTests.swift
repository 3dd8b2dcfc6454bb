import HTTPCore
@testable import HTTPCorePool
import Testing

/// `ConnectionPool.StateMachine` driven directly, through a fake that checks the pool's
/// invariants after every event and keeps what the actions did.
struct CheckedPool {
    typealias Machine = ConnectionPool.StateMachine
    var machine: Machine
    var now = HTTPInstant(nanoseconds: 0)
    /// Connections the actions opened and have not closed.
    var opened: Set<Int> = []
    var assigned: [Int: Int] = [:]
    var failed: [Int: HTTPCoreError.Code] = [:]

    init(maxConnections: Int = 10, maxKeepalive: Int = 10, expiry: Duration? = .seconds(5), perOrigin: Int = 4, http2Schemes: Set<String> = []) {
        machine = Machine(limits: .init(
            maxConnections: maxConnections, maxKeepaliveConnections: maxKeepalive, keepaliveExpiry: expiry,
            maxConnectionsPerOrigin: perOrigin, http2Schemes: http2Schemes
        ))
    }

    @discardableResult
    mutating func apply(_ actions: [Machine.Action], sourceLocation: SourceLocation = #_sourceLocation) -> [Machine.Action] {
        for action in actions {
            switch action {
            case .open(let id, _): opened.insert(id)
            case .assign(let waiter, let connection):
                #expect(assigned[waiter] == nil, "waiter \(waiter) assigned twice", sourceLocation: sourceLocation)
                // A peer may lower an HTTP/2 limit below the streams running; the pool
                // must never assign beyond it.
                let entry = machine.connections[connection]
                #expect(entry.map { $0.phase == .open && $0.inUse <= $0.capacity } == true, "connection \(connection) assigned over capacity", sourceLocation: sourceLocation)
                assigned[waiter] = connection
            case .close(let id), .abandon(let id): opened.remove(id)
            case .fail(let waiter, let code, _): failed[waiter] = code
            }
        }
        checkInvariants(sourceLocation: sourceLocation)
        return actions
    }

    func checkInvariants(sourceLocation: SourceLocation) {
        let limits = machine.limits
        #expect(machine.connections.count <= limits.maxConnections, "over maxConnections", sourceLocation: sourceLocation)
        #expect(Set(machine.connections.keys) == opened, "the machine and the actions disagree on open connections", sourceLocation: sourceLocation)
        for entry in machine.connections.values where entry.phase == .connecting {
            #expect(entry.inUse == 0, "a request on a connection not yet open", sourceLocation: sourceLocation)
        }
        let waiting = machine.waiters.map(\.id)
        #expect(Set(waiting).count == waiting.count, "a waiter queued twice", sourceLocation: sourceLocation)
        #expect(waiting.allSatisfy { assigned[$0] == nil && failed[$0] == nil }, "a served waiter still queued", sourceLocation: sourceLocation)
        let idle = machine.connections.values.filter { $0.phase == .open && $0.inUse == 0 }.count
        #expect(idle <= limits.maxKeepaliveConnections || !machine.waiters.isEmpty, "over maxKeepaliveConnections", sourceLocation: sourceLocation)
        // Liveness: a waiter never waits while its origin has room, and waits only for a
        // connection being opened, or because the pool or the origin's fan-out is full.
        for origin in Set(machine.waiters.map(\.origin)) {
            let mine = machine.connections.values.filter { $0.origin == origin && $0.phase != .draining }
            #expect(!mine.contains { $0.phase == .open && $0.inUse < $0.capacity }, "\(origin) waits beside a free connection", sourceLocation: sourceLocation)
            let connecting = mine.contains { $0.phase == .connecting }
            let full = machine.connections.count >= limits.maxConnections
                && !machine.connections.values.contains { $0.origin != origin && $0.phase == .open && $0.inUse == 0 }
            let fannedOut = mine.contains(where: \.http2) && mine.count >= limits.maxConnectionsPerOrigin
            let limitedToZero = mine.contains { $0.phase == .open && $0.capacity == 0 }
            let awaitingSettings = mine.contains(where: \.awaitingSettings)
            #expect(connecting || full || fannedOut || limitedToZero || awaitingSettings, "\(origin) waits for nothing: \(machine.connections) \(machine.waiters)", sourceLocation: sourceLocation)
        }
    }

    mutating func request(_ origin: Origin, _ waiter: Int) { apply(machine.request(origin, waiter: waiter)) }
    mutating func connected(_ id: Int, capacity: Int? = 1, http2: Bool = false) { apply(machine.connected(id, capacity: capacity, http2: http2, now: now)) }
    mutating func released(_ id: Int, reusable: Bool = true) { apply(machine.released(id, reusable: reusable, now: now)) }
    mutating func capacityChanged(_ id: Int, _ capacity: Int) { apply(machine.capacityChanged(id, to: capacity)) }
    mutating func lost(_ id: Int) { apply(machine.connectionLost(id)) }

    /// A queued waiter gives up; false if it was not queued.
    @discardableResult
    mutating func cancel(_ waiter: Int, _ origin: Origin) -> Bool {
        guard let actions = machine.cancel(waiter: waiter, origin: origin) else { return false }
        apply(actions)
        return true
    }

    /// An attempt failed: the connection never existed.
    mutating func connectFailed(_ id: Int, _ code: HTTPCoreError.Code) {
        opened.remove(id)
        apply(machine.connectFailed(id, error: code, detail: ""))
    }
}

@Suite struct PoolStateMachineTests {
    let a = Origin(scheme: "http", host: "a.test", port: 80)
    let b = Origin(scheme: "http", host: "b.test", port: 80)
    let secure = Origin(scheme: "https", host: "a.test", port: 443)

    @Test func reusesAnIdleConnection() {
        var pool = CheckedPool()
        pool.request(a, 1)
        #expect(pool.opened == [1])
        pool.connected(1)
        #expect(pool.assigned[1] == 1)
        pool.released(1)
        pool.request(a, 2)
        #expect(pool.assigned[2] == 1)
        #expect(pool.opened == [1])
        #expect(pool.machine.connections[1]?.requestCount == 2)
    }

    @Test func http1OpensOneConnectionPerConcurrentRequestWithinTheLimit() {
        var pool = CheckedPool(maxConnections: 2)
        for waiter in 1...4 { pool.request(a, waiter) }
        #expect(pool.opened == [1, 2])
        pool.connected(1)
        pool.connected(2)
        #expect(pool.assigned == [1: 1, 2: 2])
        // FIFO: 3 before 4.
        pool.released(2)
        #expect(pool.assigned[3] == 2)
        pool.released(1)
        #expect(pool.assigned[4] == 1)
    }

    @Test func anIdleConnectionOfAnotherOriginMakesRoom() {
        var pool = CheckedPool(maxConnections: 1)
        pool.request(a, 1)
        pool.connected(1)
        pool.released(1)
        pool.request(b, 2)
        #expect(!pool.opened.contains(1))
        #expect(pool.opened == [2])
    }

    @Test func connectFailureFailsTheWaiterThatCausedIt() {
        var pool = CheckedPool()
        pool.request(a, 1)
        pool.request(a, 2)
        pool.connectFailed(1, .connectRefused)
        #expect(pool.failed[1] == .connectRefused)
        #expect(pool.assigned[2] == nil)
        #expect(pool.opened == [2])
    }

    @Test func aCancelledWaiterLeavesTheQueueAndItsConnectionServesTheNext() {
        var pool = CheckedPool(maxConnections: 1)
        pool.request(a, 1)
        pool.request(a, 2)
        let first = pool.cancel(1, a)
        let second = pool.cancel(1, a)
        #expect(first && !second)
        pool.connected(1)
        #expect(pool.assigned[2] == 1)
    }

    @Test func http2WaitersShareTheConnectionBeingOpenedAndFanOutWhenFull() {
        var pool = CheckedPool(perOrigin: 2, http2Schemes: ["https"])
        for waiter in 1...3 { pool.request(secure, waiter) }
        #expect(pool.opened == [1]) // one attempt; it may be HTTP/2
        pool.connected(1, capacity: 2, http2: true)
        #expect(pool.assigned[1] == 1 && pool.assigned[2] == 1)
        #expect(pool.opened == [1, 2]) // full: fan out for waiter 3
        pool.connected(2, capacity: 2, http2: true)
        #expect(pool.assigned[3] == 2)
        for waiter in 4...6 { pool.request(secure, waiter) }
        #expect(pool.assigned[4] == 2)
        #expect(pool.opened == [1, 2]) // at the per-origin cap: 5 and 6 wait
        pool.released(1)
        #expect(pool.assigned[5] == 1)
    }

    @Test func aWaiterCountsOnlyItsOwnOriginQueuedAheadOfIt() {
        var pool = CheckedPool(maxConnections: 10)
        pool.request(a, 1)
        pool.request(b, 2)
        pool.request(a, 3)
        pool.request(b, 4)
        #expect(pool.opened == [1, 2, 3, 4]) // each HTTP/1.1 waiter opens its own
        pool.connected(1)
        #expect(pool.assigned == [1: 1])
        // a's 3 waits for connection 3 (connecting); b's 2 and 4 for 2 and 4: nothing new.
        #expect(pool.opened == [1, 2, 3, 4])
        pool.request(a, 5)
        #expect(pool.opened == [1, 2, 3, 4, 5]) // one waiter ahead of 5 for a, one a connecting
        pool.connected(2)
        #expect(pool.assigned[2] == 2 && pool.assigned[4] == nil)
        pool.released(2)
        #expect(pool.assigned[4] == 2)
    }

    @Test func aLongQueueIsServedInOrder() {
        var pool = CheckedPool(maxConnections: 1, perOrigin: 1, http2Schemes: ["https"])
        for waiter in 1...500 { pool.request(secure, waiter) }
        pool.connected(1, capacity: 100, http2: true)
        #expect(pool.assigned.count == 100)
        var next = 101
        for _ in 0..<400 {
            pool.released(1)
            #expect(pool.assigned[next] == 1)
            next += 1
        }
        #expect(pool.machine.waiters.isEmpty && pool.opened == [1])
    }

    @Test func whenTheFirstConnectionTurnsOutHTTP1TheOthersGetTheirOwn() {
        var pool = CheckedPool(http2Schemes: ["https"])
        for waiter in 1...3 { pool.request(secure, waiter) }
        pool.connected(1, capacity: 1, http2: false)
        #expect(pool.assigned[1] == 1)
        #expect(pool.opened == [1, 2, 3])
    }

    @Test func keepaliveLimitAndExpiry() {
        var pool = CheckedPool(maxKeepalive: 1, expiry: .seconds(5))
        pool.request(a, 1)
        pool.request(a, 2)
        pool.connected(1)
        pool.connected(2)
        pool.released(1)
        pool.released(2)
        #expect(pool.opened.count == 1) // the longest idle was closed
        pool.now = pool.now + .seconds(5)
        pool.apply(pool.machine.expire(now: pool.now))
        #expect(pool.opened.isEmpty)
    }

    @Test func anUnusableConnectionIsDroppedAndWaitersGetANewOne() {
        var pool = CheckedPool(maxConnections: 1)
        pool.request(a, 1)
        pool.request(a, 2)
        pool.connected(1)
        pool.released(1, reusable: false)
        #expect(pool.opened == [2])
        pool.connected(2)
        #expect(pool.assigned[2] == 2)
    }

    @Test func shutdownFailsWaitersAndClosesEverything() {
        var pool = CheckedPool(maxConnections: 1)
        pool.request(a, 1)
        pool.request(a, 2)
        pool.apply(pool.machine.shutDown())
        #expect(pool.failed[1] == .connectionUnavailable && pool.failed[2] == .connectionUnavailable)
        #expect(pool.opened.isEmpty)
        pool.request(a, 3)
        #expect(pool.failed[3] == .connectionUnavailable)
    }

    @Test func theLastWaiterLeavingAbandonsTheAttemptsStillConnecting() {
        var pool = CheckedPool()
        pool.request(a, 1)
        pool.request(a, 2)
        #expect(pool.opened == [1, 2])
        pool.cancel(1, a)
        #expect(pool.opened == [1, 2]) // waiter 2 still wants one
        pool.cancel(2, a)
        #expect(pool.opened.isEmpty) // nobody does: both abandoned, their places free
        #expect(pool.machine.origins.isEmpty)
        // An abandoned attempt that completes anyway is closed.
        #expect(pool.machine.connected(1, capacity: 1, http2: false, now: pool.now) == [.close(id: 1)])
    }

    @Test func aFullPoolServesTheOriginWhoseWaiterCameFirst() {
        var pool = CheckedPool(maxConnections: 1)
        pool.request(a, 1)
        pool.connected(1)
        pool.request(b, 2) // the pool is full: b waits
        pool.request(Origin(scheme: "http", host: "c.test", port: 80), 3)
        #expect(pool.opened == [1])
        pool.released(1) // idle now: closed to make room for b, the first to wait
        #expect(pool.opened == [2])
        #expect(pool.machine.connections[2]?.origin == b)
        pool.connected(2)
        #expect(pool.assigned[2] == 2)
        pool.released(2)
        #expect(pool.machine.connections[3]?.origin.host == "c.test")
    }

    @Test func http2StreamLimitChangesReachThePlanning() {
        var pool = CheckedPool(perOrigin: 1, http2Schemes: ["https"])
        for waiter in 1...4 { pool.request(secure, waiter) }
        pool.connected(1, capacity: 2, http2: true)
        #expect(pool.assigned.count == 2)
        pool.capacityChanged(1, 4) // SETTINGS raised the limit: the other two go at once
        #expect(pool.assigned.count == 4)
        pool.capacityChanged(1, 0) // and lowered to 0: nothing new goes
        pool.request(secure, 5)
        for id in 1...4 { pool.released(pool.assigned[id]!) }
        #expect(pool.assigned[5] == nil)
        pool.capacityChanged(1, 1)
        #expect(pool.assigned[5] == 1)
    }

    @Test func http2WaitsForTheFirstSettingsBeforeFanningOut() {
        var pool = CheckedPool(perOrigin: 4, http2Schemes: ["https"])
        for waiter in 1...5 { pool.request(secure, waiter) }
        pool.connected(1, capacity: nil, http2: true) // SETTINGS not here yet
        #expect(pool.assigned == [1: 1]) // one request goes at once
        #expect(pool.opened == [1]) // and no fan-out on a guess
        pool.capacityChanged(1, 100)
        #expect(pool.assigned.count == 5)
        #expect(pool.opened == [1])
    }

    @Test func aLostConnectionDrainsAndItsWaitersGetANewOne() {
        var pool = CheckedPool(perOrigin: 1, http2Schemes: ["https"])
        pool.request(secure, 1)
        pool.connected(1, capacity: 10, http2: true)
        pool.lost(1) // GOAWAY while request 1 runs
        #expect(pool.machine.connections[1]?.phase == .draining)
        pool.request(secure, 2) // does not go to the draining connection
        #expect(pool.assigned[2] == nil)
        #expect(pool.opened == [1, 2])
        pool.released(1)
        #expect(pool.opened == [2]) // closed once its last request ended
        pool.connected(2, capacity: 10, http2: true)
        #expect(pool.assigned[2] == 2)
        pool.released(2)
        pool.lost(2) // lost while idle: closed at once
        #expect(pool.opened.isEmpty)
    }

    @Test func aNonReusableReleaseOfOneStreamLetsTheOthersFinish() {
        var pool = CheckedPool(http2Schemes: ["https"])
        pool.request(secure, 1)
        pool.request(secure, 2)
        pool.connected(1, capacity: 10, http2: true)
        pool.released(1, reusable: false)
        #expect(pool.opened == [1]) // request 2 still runs on it
        pool.released(1, reusable: false)
        #expect(pool.opened.isEmpty)
    }

    /// Thousands of random events against the invariants: no double assignment, limits
    /// kept, nobody waits for nothing, and at the end everything released is idle.
    @Test(arguments: 1...8) func randomEventsKeepTheInvariants(seed: UInt64) {
        var random = SplitMix(seed: seed)
        let origins = [a, b, secure]
        var pool = CheckedPool(maxConnections: 4, maxKeepalive: 2, perOrigin: 2, http2Schemes: ["https"])
        var inUse: [(waiter: Int, connection: Int)] = []
        var queued: [(waiter: Int, origin: Origin)] = []
        var nextWaiter = 0
        for _ in 0..<5_000 {
            let connecting = pool.machine.connections.filter { $0.value.phase == .connecting }.keys.sorted()
            switch random.next() % 8 {
            case 0, 1:
                nextWaiter += 1
                let origin = origins[Int(random.next() % 3)]
                queued.append((nextWaiter, origin))
                pool.request(origin, nextWaiter)
            case 2 where !connecting.isEmpty:
                let id = connecting[Int(random.next() % UInt64(connecting.count))]
                let http2 = pool.machine.connections[id]!.origin == secure && random.next() % 4 != 0
                let capacity = http2 ? [nil, 1, 2, 3][Int(random.next() % 4)] : 1
                pool.connected(id, capacity: capacity, http2: http2)
            case 3 where !connecting.isEmpty:
                pool.connectFailed(connecting[Int(random.next() % UInt64(connecting.count))], .connectRefused)
            case 4 where !inUse.isEmpty:
                let lease = inUse.remove(at: Int(random.next() % UInt64(inUse.count)))
                pool.released(lease.connection, reusable: random.next() % 5 != 0)
            case 5 where !queued.isEmpty:
                let (waiter, origin) = queued[Int(random.next() % UInt64(queued.count))]
                pool.cancel(waiter, origin)
            case 6:
                pool.now = pool.now + .seconds(Int64(random.next() % 3))
                pool.apply(pool.machine.expire(now: pool.now))
            case 7:
                let open = pool.machine.connections.filter { $0.value.phase == .open }.keys.sorted()
                if let id = open.randomElement(using: &random) {
                    if random.next() % 2 == 0 { pool.capacityChanged(id, Int(random.next() % 3)) } else { pool.lost(id) }
                }
            default:
                break
            }
            // Waiters served or failed since: leases to release later, or gone.
            for (waiter, connection) in pool.assigned where queued.contains(where: { $0.waiter == waiter }) {
                inUse.append((waiter, connection))
            }
            let waiting = Set(pool.machine.waiters.map(\.id))
            queued.removeAll { !waiting.contains($0.waiter) }
        }
        // Drain: give up every wait, release every lease.
        for (waiter, origin) in queued { pool.cancel(waiter, origin) }
        for lease in inUse { pool.released(lease.connection) }
        #expect(pool.assigned.count > 300, "the sequence exercised little: \(pool.assigned.count) assignments")
        #expect(pool.machine.waiters.isEmpty)
        #expect(pool.machine.connections.values.allSatisfy { $0.inUse == 0 && $0.phase != .draining })
    }
}

/// A small seeded generator, so a failing sequence repeats.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
