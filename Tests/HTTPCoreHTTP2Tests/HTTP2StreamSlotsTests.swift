import HTTPCore
@testable import HTTPCoreHTTP2
import Testing

/// `HTTP2StreamSlots` (the slot part of `HTTP2StateMachine`) driven directly, one event per line.
@Suite struct HTTP2StreamSlotsTests {
    typealias Machine = HTTP2StreamSlots
    let t0 = HTTPInstant(nanoseconds: 0)
    let t1 = HTTPInstant(nanoseconds: 1_000)

    @Test func slotsAreGrantedFIFOUnderThePeerLimit() {
        var machine = Machine(now: t0, assumedPeerLimit: 2)
        #expect(machine.isIdle && machine.isAvailable)
        do { let result = machine.requestSlot(); #expect(result == .proceed) }
        do { let result = machine.requestSlot(); #expect(result == .proceed) }
        #expect(!machine.isAvailable)
        do { let result = machine.requestSlot(); #expect(result == .wait(ticket: 1)) }
        do { let result = machine.requestSlot(); #expect(result == .wait(ticket: 2)) }
        do { let result = machine.releaseSlot(now: t1); #expect(result == [1]) }
        #expect(machine.openStreams == 2)
        do { let result = machine.releaseSlot(now: t1); #expect(result == [2]) }
        do { let result = machine.releaseSlot(now: t1); #expect(result == []) }
        do { let result = machine.releaseSlot(now: t1); #expect(result == []) }
        #expect(machine.isIdle)
        #expect(machine.idleSince == t1)
        #expect(machine.requestCount == 4)
    }

    @Test func aNewcomerNeverOvertakesTheQueue() {
        var machine = Machine(now: t0, assumedPeerLimit: 1)
        do { let result = machine.requestSlot(); #expect(result == .proceed) }
        do { let result = machine.requestSlot(); #expect(result == .wait(ticket: 1)) }
        do { let result = machine.peerLimitChanged(1); #expect(result == []) }
        // A slot frees and the limit rises at once: the queue is served before anyone new.
        do { let result = machine.peerLimitChanged(3); #expect(result == [1]) }
        do { let result = machine.requestSlot(); #expect(result == .proceed) }
        #expect(machine.openStreams == 3)
    }

    @Test func aLimitOfZeroQueuesEveryoneUntilItRises() {
        var machine = Machine(now: t0)
        do { let result = machine.peerLimitChanged(0); #expect(result == []) }
        do { let result = machine.requestSlot(); #expect(result == .wait(ticket: 1)) }
        do { let result = machine.requestSlot(); #expect(result == .wait(ticket: 2)) }
        do { let result = machine.cancelWait(ticket: 1); #expect(result) }
        do { let result = machine.cancelWait(ticket: 1); #expect(!result) }
        do { let result = machine.peerLimitChanged(5); #expect(result == [2]) }
        do { let result = machine.cancelWait(ticket: 2); #expect(!result) } // already granted: its owner must release it
    }

    @Test func drainingStopsNewStreamsAndFailsTheQueue() {
        var machine = Machine(now: t0, assumedPeerLimit: 1)
        do { let result = machine.requestSlot(); #expect(result == .proceed) }
        do { let result = machine.requestSlot(); #expect(result == .wait(ticket: 1)) }
        do { let result = machine.drain(); #expect(result == [1]) }
        #expect(machine.phase == .draining)
        #expect(!machine.isAvailable)
        do { let result = machine.requestSlot(); #expect(result == .unavailable) }
        do { let result = machine.releaseSlot(now: t1); #expect(result == []) }
        #expect(machine.isIdle)
        do { let result = machine.drain(); #expect(result == []) }
        do { let result = machine.close(); #expect(result == []) }
        #expect(machine.phase == .closed)
        do { let result = machine.requestSlot(); #expect(result == .unavailable) }
    }
}
