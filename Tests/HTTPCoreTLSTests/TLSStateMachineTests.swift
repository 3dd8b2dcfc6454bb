import HTTPCore
@testable import HTTPCoreTLS
import Testing

/// `TLSStream.StateMachine` driven directly, one event per line, every returned action checked.
@Suite struct TLSStateMachineTests {
    typealias Machine = TLSStream.StateMachine

    let writeError = HTTPCoreError(.writeFailed, "inner write failed")
    let tlsError = HTTPCoreError(.tlsHandshakeFailed, "bad record mac")

    @Test func writersQueueInFIFOOrder() {
        var m = Machine()
        #expect(m.acquire().proceeds)
        #expect(m.acquire().waitID == 1)
        #expect(m.acquire().waitID == 2)
        #expect(m.release(hasPendingOutput: false) == .handOver(id: 1))
        #expect(m.pumpOwned)
        #expect(m.release(hasPendingOutput: false) == .handOver(id: 2))
        #expect(m.release(hasPendingOutput: false) == .idle)
        #expect(!m.pumpOwned)
        #expect(m.acquire().proceeds)
    }

    @Test func pendingOutputIsSentBeforeHandOver() {
        var m = Machine()
        #expect(m.acquire().proceeds)
        #expect(m.acquire().waitID == 1)
        #expect(m.release(hasPendingOutput: true) == .sendPending)
        #expect(m.release(hasPendingOutput: false) == .handOver(id: 1))
        #expect(m.release(hasPendingOutput: true) == .sendPending)
        #expect(m.release(hasPendingOutput: false) == .idle)
    }

    @Test func writeFailedStopsWritesButNotReads() {
        var m = Machine()
        #expect(m.acquire().proceeds)
        #expect(m.acquire().waitID == 1)
        m.writeFailed(writeError)
        #expect(m.readError == nil)
        #expect(m.writeError?.detail == writeError.detail)
        // Pending output is dropped from now on; the queued writer still gets the pump (and
        // then sees writeError).
        #expect(m.release(hasPendingOutput: true) == .handOver(id: 1))
        #expect(m.release(hasPendingOutput: true) == .idle)
        #expect(m.acquire().failure?.detail == writeError.detail)
        #expect(m.tryAcquire() == false)
        #expect(m.readError == nil)
    }

    @Test func tryAcquireOnlyWhenFreeAndOpen() {
        var m = Machine()
        #expect(m.tryAcquire() == true)
        #expect(m.tryAcquire() == false)
        #expect(m.acquire().waitID == 1)
        #expect(m.release(hasPendingOutput: false) == .handOver(id: 1))
        #expect(m.tryAcquire() == false)
        #expect(m.release(hasPendingOutput: false) == .idle)
        #expect(m.tryAcquire() == true)
        #expect(m.release(hasPendingOutput: false) == .idle)
        _ = m.close(graceful: false)
        #expect(m.tryAcquire() == false)
    }

    @Test func cancelWaitOnlyWhileQueued() {
        var m = Machine()
        #expect(m.acquire().proceeds)
        #expect(m.acquire().waitID == 1)
        #expect(m.acquire().waitID == 2)
        #expect(m.cancelWait(id: 1) == true)
        #expect(m.cancelWait(id: 1) == false)
        #expect(m.release(hasPendingOutput: false) == .handOver(id: 2))
        #expect(m.cancelWait(id: 2) == false)
        #expect(m.release(hasPendingOutput: false) == .idle)
    }

    @Test func gracefulCloseWithFreePumpSendsCloseNotify() {
        var m = Machine()
        #expect(m.close(graceful: true) == .sendCloseNotify(failWaiters: []))
        #expect(m.pumpOwned)
        #expect(m.acquire().failure?.code == .connectionClosed)
        #expect(m.readError?.code == .connectionClosed)
        #expect(m.close(graceful: true) == .closeInner(failWaiters: []))
    }

    @Test func gracefulCloseWithOwnedPumpClosesInnerAndFailsWaiters() {
        var m = Machine()
        #expect(m.acquire().proceeds)
        #expect(m.acquire().waitID == 1)
        #expect(m.acquire().waitID == 2)
        #expect(m.close(graceful: true) == .closeInner(failWaiters: [1, 2]))
        #expect(m.cancelWait(id: 1) == false)
        #expect(m.release(hasPendingOutput: true) == .idle)
        #expect(m.acquire().failure?.code == .connectionClosed)
        #expect(m.readError?.code == .connectionClosed)
    }

    @Test func abortiveCloseClosesInner() {
        var m = Machine()
        #expect(m.close(graceful: false) == .closeInner(failWaiters: []))
        #expect(!m.pumpOwned)
        #expect(m.acquire().failure?.code == .connectionClosed)
        #expect(m.readError?.code == .connectionClosed)
    }

    @Test func gracefulCloseAfterWriteFailedSkipsCloseNotify() {
        var m = Machine()
        m.writeFailed(writeError)
        #expect(m.close(graceful: true) == .closeInner(failWaiters: []))
        #expect(m.readError?.code == .connectionClosed)
    }

    @Test func failedEndsReadsAndWrites() {
        var m = Machine()
        m.failed(tlsError)
        #expect(m.readError?.detail == tlsError.detail)
        #expect(m.writeError?.detail == tlsError.detail)
        #expect(m.acquire().failure?.detail == tlsError.detail)
        #expect(m.tryAcquire() == false)
        m.writeFailed(writeError)
        m.failed(writeError)
        #expect(m.readError?.detail == tlsError.detail)
        #expect(m.close(graceful: true) == .closeInner(failWaiters: []))
    }
}

extension TLSStream.StateMachine.AcquireAction {
    var proceeds: Bool {
        if case .proceed = self { return true }
        return false
    }

    var waitID: Int? {
        if case .wait(let id) = self { return id }
        return nil
    }

    var failure: HTTPCoreError? {
        if case .fail(let error) = self { return error }
        return nil
    }
}
