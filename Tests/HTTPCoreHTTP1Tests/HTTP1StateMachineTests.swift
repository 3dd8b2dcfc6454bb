@testable import HTTPCoreHTTP1
import HTTPCore
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// The connection's state machine driven directly, one event per line, no I/O.
@Suite struct HTTP1StateMachineTests {
    let t0 = HTTPInstant(nanoseconds: 0)
    let t1 = HTTPInstant(nanoseconds: 1_000_000_000)

    @Test func keepAliveExchangeReturnsToIdle() throws {
        var machine = HTTP1Connection.StateMachine(now: t0, limits: HTTP1Limits())
        let id = try machine.startRequest(method: .get).get()
        #expect(!machine.isIdle)
        machine.requestSent(id)
        #expect(try machine.nextEvent(id, now: t1) == .readMore)
        machine.received(id, Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8))
        guard case .head(let head, .http1_1, stopUpload: false) = try machine.nextEvent(id, now: t1) else {
            Issue.record("expected a head")
            return
        }
        #expect(head.status == .ok)
        #expect(try machine.nextEvent(id, now: t1) == .body(Array("ok".utf8)))
        #expect(try machine.nextEvent(id, now: t1) == .end(close: false))
        #expect(machine.idleSince == t1)
        #expect(machine.requestCount == 1)
    }

    @Test func oneRequestAtATime() throws {
        var machine = HTTP1Connection.StateMachine(now: t0, limits: HTTP1Limits())
        _ = try machine.startRequest(method: .get).get()
        #expect(throws: HTTPCoreError.self) { try machine.startRequest(method: .get).get() }
    }

    @Test func staleIdsCannotTouchALaterExchange() throws {
        var machine = HTTP1Connection.StateMachine(now: t0, limits: HTTP1Limits())
        let first = try machine.startRequest(method: .get).get()
        machine.requestSent(first)
        machine.received(first, Array("HTTP/1.1 204 No Content\r\n\r\n".utf8))
        _ = try machine.nextEvent(first, now: t1)
        #expect(try machine.nextEvent(first, now: t1) == .end(close: false))
        let second = try machine.startRequest(method: .get).get()
        let lateRelease = machine.release(first)  // a late drop of the first body does nothing
        #expect(!lateRelease)
        #expect(!machine.isClosed)
        let failed = machine.fail(second)
        #expect(failed)
        #expect(machine.isClosed)
        let closeAgain = machine.close()  // already closed: nothing more to close
        #expect(!closeAgain)
    }

    @Test func skippedBodyForcesClose() throws {
        var machine = HTTP1Connection.StateMachine(now: t0, limits: HTTP1Limits())
        let id = try machine.startRequest(method: .post).get()
        machine.bodySkipped(id)
        machine.received(id, Array("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n".utf8))
        _ = try machine.nextEvent(id, now: t1)
        #expect(try machine.nextEvent(id, now: t1) == .end(close: true))
        #expect(machine.isClosed)
    }

    @Test func parseErrorsBecomeCoreErrors() throws {
        var machine = HTTP1Connection.StateMachine(now: t0, limits: HTTP1Limits())
        let id = try machine.startRequest(method: .get).get()
        machine.received(id, Array("HTTP/1.1 200 OK\r\nBad : x\r\n\r\n".utf8))
        let error = #expect(throws: HTTPCoreError.self) { try machine.nextEvent(id, now: t1) }
        #expect(error?.code == .malformedResponse)
        #expect(error?.underlying as? HTTP1ParseError == .whitespaceBeforeColon)
    }

    // MARK: - Full duplex: the upload beside the response

    static let chunkedOK = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)

    func uploading() throws -> (HTTP1Connection.StateMachine, UInt64) {
        var machine = HTTP1Connection.StateMachine(now: t0, limits: HTTP1Limits())
        let id = try machine.startRequest(method: .post).get()
        return (machine, id)
    }

    @Test func aSuccessHeadLetsTheUploadContinue() throws {
        var (machine, id) = try uploading()
        machine.received(id, Self.chunkedOK)
        guard case .head(_, _, stopUpload: false) = try machine.nextEvent(id, now: t1) else {
            Issue.record("expected a head that keeps the upload going")
            return
        }
        #expect(machine.isUploading(id))
        machine.received(id, Array("3\r\nabc\r\n".utf8))
        #expect(try machine.nextEvent(id, now: t1) == .body(Array("abc".utf8)))
        machine.uploadFinishing(id)
        machine.uploadFinished(id)
        #expect(!machine.isUploading(id))
        machine.received(id, Array("0\r\n\r\n".utf8))
        #expect(try machine.nextEvent(id, now: t1) == .end(close: false))
        #expect(machine.isIdle)
    }

    @Test(arguments: [
        "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
    ])
    func anEarlyErrorOrCloseStopsTheUploadAndTheConnection(response: String) throws {
        var (machine, id) = try uploading()
        machine.received(id, Array(response.utf8))
        guard case .head(_, _, stopUpload: true) = try machine.nextEvent(id, now: t1) else {
            Issue.record("expected a head that stops the upload")
            return
        }
        // The cancelled upload's error is expected: it does not close anything by itself.
        let mattered = machine.uploadFailed(id)
        #expect(!mattered)
        #expect(try machine.nextEvent(id, now: t1) == .end(close: true))
        #expect(machine.isClosed)
    }

    @Test func anErrorHeadAfterTheWholeBodyWasHandedOverDoesNotStopIt() throws {
        var (machine, id) = try uploading()
        machine.uploadFinishing(id)
        machine.received(id, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8))
        guard case .head(_, _, stopUpload: false) = try machine.nextEvent(id, now: t1) else {
            Issue.record("expected a head that lets the last write finish")
            return
        }
        #expect(try machine.nextEvent(id, now: t1) == .awaitUpload)
        machine.uploadFinished(id)
        #expect(try machine.nextEvent(id, now: t1) == .end(close: false))
        #expect(machine.isIdle)
    }

    @Test func aKeepAliveResponseCompleteMidUploadWaitsForTheUpload() throws {
        var (machine, id) = try uploading()
        machine.received(id, Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8))
        _ = try machine.nextEvent(id, now: t1)
        #expect(try machine.nextEvent(id, now: t1) == .body(Array("ok".utf8)))
        #expect(try machine.nextEvent(id, now: t1) == .awaitUpload)
        #expect(try machine.nextEvent(id, now: t1) == .awaitUpload, "asking again before the upload ends")
        machine.uploadFinishing(id)
        machine.uploadFinished(id)
        #expect(try machine.nextEvent(id, now: t1) == .end(close: false))
        #expect(machine.isIdle)
    }

    @Test func aResponseWithoutKeepAliveCompleteMidUploadStopsItAndCloses() throws {
        var (machine, id) = try uploading()
        machine.received(id, Array("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8))
        _ = try machine.nextEvent(id, now: t1)
        #expect(try machine.nextEvent(id, now: t1) == .body(Array("ok".utf8)))
        #expect(try machine.nextEvent(id, now: t1) == .end(close: true))
        #expect(machine.isClosed)
        let mattered = machine.uploadFailed(id)  // the stopped upload's cancellation
        #expect(!mattered)
    }

    @Test func aFailedUploadClosesTheConnectionForTheReader() throws {
        var (machine, id) = try uploading()
        machine.received(id, Self.chunkedOK)
        _ = try machine.nextEvent(id, now: t1)
        let mattered = machine.uploadFailed(id)
        #expect(mattered)
        #expect(machine.isClosed)
        let error = #expect(throws: HTTPCoreError.self) { try machine.nextEvent(id, now: t1) }
        #expect(error?.code == .connectionClosed)
    }
}
