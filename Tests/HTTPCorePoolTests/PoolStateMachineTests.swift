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
                assigned[waiter] = connection
            case .close(let id): opened.remove(id)
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
        for (id, entry) in machine.connections {
            #expect(entry.inUse <= max(entry.capacity, entry.phase == .connecting ? 0 : entry.capacity), "connection \(id) over capacity", sourceLocation: sourceLocation)
            if entry.phase == .connecting { #expect(entry.inUse == 0, sourceLocation: sourceLocation) }
        }
        let waiting = machine.waiters.map(\.id)
        #expect(Set(waiting).count == waiting.count, "a waiter queued twice", sourceLocation: sourceLocation)
        #expect(waiting.allSatisfy { assigned[$0] == nil && failed[$0] == nil }, "a served waiter still queued", sourceLocation: sourceLocation)
        let idle = machine.connections.values.filter { $0.phase == .open && $0.inUse == 0 }.count
        #expect(idle <= limits.maxKeepaliveConnections || !machine.waiters.isEmpty, "over maxKeepaliveConnections", sourceLocation: sourceLocation)
    }

    mutating func request(_ origin: Origin, _ waiter: Int) { apply(machine.request(origin, waiter: waiter, now: now)) }
    mutating func connected(_ id: Int, capacity: Int = 1, http2: Bool = false) { apply(machine.connected(id, capacity: capacity, http2: http2, now: now)) }
    mutating func released(_ id: Int, reusable: Bool = true) { apply(machine.released(id, reusable: reusable, now: now)) }

    /// An attempt failed: the connection never existed.
    mutating func connectFailed(_ id: Int, _ code: HTTPCoreError.Code) {
        opened.remove(id)
        apply(machine.connectFailed(id, error: code, detail: "", now: now))
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
        let first = pool.machine.cancel(waiter: 1)
        let second = pool.machine.cancel(waiter: 1)
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
}
