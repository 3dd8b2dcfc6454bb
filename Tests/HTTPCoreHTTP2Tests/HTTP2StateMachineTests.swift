import HTTPCore
@testable import HTTPCoreHTTP2
import HTTPTypes
import Testing

/// `HTTP2StateMachine` driven one event per line, without nghttp2: each line feeds an
/// event, a call or a timer and checks the actions it returned (written as short strings,
/// errors by their code).
@Suite struct HTTP2StateMachineTests {
    typealias Machine = HTTP2StateMachine
    typealias Event = NGHTTP2Session.Event
    let t0 = HTTPInstant(nanoseconds: 0)

    func at(_ milliseconds: Int64) -> HTTPInstant { HTTPInstant(nanoseconds: milliseconds * 1_000_000) }

    static let ok: HTTP2ReceivedHeaders = [(":status", "200")]

    /// A client machine with stream 1 open (request queued whole unless `uploading`).
    func opened(readTimeout: Duration? = .seconds(5), writeTimeout: Duration? = .seconds(5), total: HTTPInstant? = nil, uploading: Bool = false, uploadBuffer: Int = 100) -> Machine {
        var machine = Machine(role: .client, now: t0, uploadBuffer: uploadBuffer)
        guard case .proceed = machine.requestSlot() else { fatalError("no slot") }
        let options = Machine.StreamOptions(readTimeout: readTimeout, writeTimeout: writeTimeout, totalDeadline: total)
        _ = machine.streamOpened(1, options: options, localFinished: !uploading, uploading: uploading, now: t0)
        return machine
    }

    @Test func aResetWhileAReadWaitsWakesTheReaderWithTheError() {
        var machine = opened()
        #expect(names(machine.receive(.headers(stream: 1, fields: Self.ok, kind: .head), now: at(1))) == [])
        guard case .ready(.response(let head)) = machine.takeHead(1) else { Issue.record("no head"); return }
        #expect(head.status == .ok)
        let (wait, armed) = machine.read(1, maxBytes: .max, now: at(2))
        #expect(wait.name == "wait")
        // Armed for 5 s from now, later than the timer's target: no reschedule.
        #expect(names(armed) == [])
        #expect(machine.streams[1]?.readDeadline == at(5002))
        #expect(names(machine.receive(.resetByPeer(stream: 1, code: 2), now: at(3))) == [])
        #expect(names(machine.receive(.closed(stream: 1, code: 2), now: at(3))) == ["wakeData(1)"])
        #expect(machine.slots.openStreams == 0)
        let (failed, _) = machine.read(1, maxBytes: .max, now: at(4))
        #expect(failed.name == "failed(streamReset)")
        #expect(machine.streams.isEmpty)
    }

    /// The application read the whole answer before our END_STREAM left, so the wire
    /// never closed the stream; when the connection then fails, nothing must keep it (the
    /// h2-client fuzz target found it still tracked after close), and a stream still being
    /// read goes once its reader takes the error.
    @Test func aFailedConnectionForgetsStreamsTheApplicationIsDoneWith() {
        var machine = opened(uploading: true)
        _ = machine.streamOpened(3, options: Machine.StreamOptions(), localFinished: false, uploading: true, now: t0)
        _ = machine.receive(.headers(stream: 1, fields: Self.ok, kind: .head), now: at(1))
        _ = machine.receive(.endStream(1), now: at(1))
        machine.consumerFinished(1)
        #expect(machine.streams.count == 2)
        _ = machine.fail(HTTPCoreError(.connectionClosed, "closed"))
        #expect(machine.streams.keys == [3])
        machine.consumerFinished(3)
        #expect(machine.streams.isEmpty)
    }

    @Test func aGoAwayWhileASlotWaitsFailsTheWaiterNotProcessed() {
        var machine = Machine(role: .client, now: t0, assumedPeerLimit: 1)
        guard case .proceed = machine.requestSlot() else { Issue.record("no slot"); return }
        guard case .wait(let ticket) = machine.requestSlot() else { Issue.record("no ticket"); return }
        let actions = machine.receive(.goaway(lastStreamID: 0, code: 0, debug: []), now: at(1))
        #expect(names(actions) == ["resumeSlot(\(ticket), goAway)"])
        if case .resumeSlot(_, let error?) = actions.first { #expect(error.isSafeToRetry) }
        guard case .unavailable = machine.requestSlot() else { Issue.record("a draining connection took a stream"); return }
    }

    @Test func aWindowUpdateAfterACancelKeepsTheConnectionWindowOpen() {
        var machine = opened()
        #expect(names(machine.cancel(1, now: at(1))) == ["reset(1, CANCEL)"])
        #expect(machine.streams.isEmpty)
        #expect(machine.slots.openStreams == 0)
        // DATA already in flight for the cancelled stream: consumed at once.
        #expect(names(machine.receive(.data(stream: 1, bytes: [1, 2, 3]), now: at(2))) == ["consume(1, 3)"])
        #expect(names(machine.receive(.closed(stream: 1, code: 8), now: at(2))) == [])
    }

    @Test func aDeadlineWhileUploadingFailsTheStreamAndStopsTheUpload() {
        var machine = opened(writeTimeout: .seconds(1), uploading: true, uploadBuffer: 10)
        let (step, actions) = machine.send(1, count: 50, end: false, now: at(0))
        #expect(step.name == "queue(wait: true)")
        #expect(names(actions) == ["rescheduleTimer"])
        #expect(machine.nextDeadline == at(1000))
        #expect(names(machine.timerFired(now: at(999))) == [])
        let expired = machine.timerFired(now: at(1000))
        #expect(names(expired) == ["reset(1, CANCEL)", "stopUpload(1)", "wakeRoom(1)", "sendPing(1)"])
        #expect(machine.room(1).name == "failed(writeTimeout)")
        #expect(machine.slots.openStreams == 0)
    }

    /// The same deadline while one socket write has waited a whole write timeout: the peer
    /// reads nothing, so the connection ends too (the fault tests' peer that stops reading).
    @Test func aWriteTimeoutWhileTheSocketWriteIsStuckEndsTheConnection() {
        var machine = opened(writeTimeout: .seconds(1), uploading: true, uploadBuffer: 10)
        _ = machine.send(1, count: 50, end: false, now: at(0))
        machine.socketWriteSince = at(0)
        #expect(names(machine.timerFired(now: at(1000))) == ["reset(1, CANCEL)", "stopUpload(1)", "wakeRoom(1)", "closeConnection(writeTimeout)", "sendPing(1)"])
    }

    @Test func aWriteTimeoutWhileWritesStillCompleteEndsOnlyTheStream() {
        var machine = opened(writeTimeout: .seconds(1), uploading: true, uploadBuffer: 10)
        _ = machine.send(1, count: 50, end: false, now: at(0))
        machine.socketWriteSince = at(500) // a write began since: the socket drains
        #expect(names(machine.timerFired(now: at(1000))) == ["reset(1, CANCEL)", "stopUpload(1)", "wakeRoom(1)", "sendPing(1)"])
    }

    @Test func framedBytesWakeTheSenderBelowTheBuffer() {
        var machine = opened(uploading: true, uploadBuffer: 10)
        _ = machine.send(1, count: 15, end: false, now: at(0))
        #expect(names(machine.receive(.bodyFramed(stream: 1, count: 4), now: at(1))) == [])
        #expect(names(machine.receive(.bodyFramed(stream: 1, count: 4), now: at(1))) == ["wakeRoom(1)"])
        #expect(machine.room(1).name == "ready")
        #expect(machine.streams[1]?.writeDeadline == nil)
    }

    @Test func anEarlyCompleteResponseStopsTheUploadWithoutAnError() {
        var machine = opened(uploading: true)
        _ = machine.receive(.headers(stream: 1, fields: Self.ok, kind: .head), now: at(1))
        _ = machine.receive(.data(stream: 1, bytes: Array("done".utf8)), now: at(1))
        _ = machine.receive(.endStream(1), now: at(1))
        _ = machine.receive(.resetByPeer(stream: 1, code: 0), now: at(1))
        #expect(names(machine.receive(.closed(stream: 1, code: 0), now: at(1))) == ["stopUpload(1)"])
        #expect(machine.send(1, count: 5, end: false, now: at(2)).0.name == "stopped")
        guard case .ready = machine.takeHead(1) else { Issue.record("no head"); return }
        #expect(machine.read(1, maxBytes: .max, now: at(2)).0.name == "data(4)")
        #expect(machine.read(1, maxBytes: .max, now: at(2)).0.name == "end")
        #expect(machine.streams.isEmpty)
    }

    @Test func aHeadTooLargeFreesTheSlotWhenTheResetCloses() {
        var machine = opened()
        #expect(machine.takeHead(1).name == "wait")
        #expect(names(machine.receive(.headerListTooLarge(stream: 1), now: at(1))) == ["wakeHead(1)"])
        #expect(machine.takeHead(1).name == "failed(headTooLarge)")
        #expect(machine.slots.openStreams == 1)
        _ = machine.receive(.closed(stream: 1, code: 2), now: at(2))
        #expect(machine.slots.openStreams == 0)
        #expect(machine.streams.isEmpty)
    }

    @Test func informationalHeadsAreSkipped() {
        var machine = opened()
        #expect(machine.takeHead(1).name == "wait")
        #expect(names(machine.receive(.headers(stream: 1, fields: [(":status", "103")], kind: .head), now: at(1))) == [])
        #expect(names(machine.receive(.headers(stream: 1, fields: Self.ok, kind: .head), now: at(1))) == ["wakeHead(1)"])
    }

    @Test func aMalformedHeadResetsTheStream() {
        var machine = opened()
        let actions = machine.receive(.headers(stream: 1, fields: [("x-no-status", "1")], kind: .head), now: at(1))
        #expect(names(actions) == ["reset(1, PROTOCOL_ERROR)"])
        #expect(machine.takeHead(1).name == "failed(malformedResponse)")
    }

    @Test func partialReadsSplitAChunkAndReopenTheWindowByWhatWasTaken() {
        var machine = opened()
        _ = machine.receive(.headers(stream: 1, fields: Self.ok, kind: .head), now: at(1))
        _ = machine.receive(.data(stream: 1, bytes: Array("abcdef".utf8)), now: at(1))
        let (first, window) = machine.read(1, maxBytes: 4, now: at(2))
        #expect(first.name == "data(4)")
        #expect(names(window) == ["consume(1, 4)"])
        #expect(machine.read(1, maxBytes: 4, now: at(2)).0.name == "data(2)")
        #expect(machine.read(1, maxBytes: 4, now: at(2)).0.name == "wait")
    }

    /// A stream's read timeout puts the peer's liveness in question: one PING, no new
    /// streams until its ACK (the observer reports a limit of 0), and the connection ends
    /// if the ACK does not come within the PING timeout (10 s here).
    @Test func aReadTimeoutChecksThePeerIsAliveBeforeNewStreams() {
        var machine = opened(readTimeout: .seconds(1))
        #expect(names(machine.timerFired(now: at(1000))) == ["reset(1, CANCEL)", "sendPing(1)"])
        #expect(machine.awaitingLiveness)
        #expect(machine.nextDeadline == at(11_000))
        #expect(names(machine.receive(.pingAck(opaque: 1), now: at(1200))) == ["resumePing(1, 200 ms)"])
        #expect(!machine.awaitingLiveness)

        var silent = opened(readTimeout: .seconds(1))
        _ = silent.timerFired(now: at(1000))
        #expect(names(silent.timerFired(now: at(10_999))) == [])
        #expect(names(silent.timerFired(now: at(11_000))) == ["closeConnection(readTimeout)"])
    }

    /// A total deadline says only that the exchange took too long: no PING, the
    /// connection takes new streams at once.
    @Test func aTotalDeadlineDoesNotQuestionThePeer() {
        var machine = opened(readTimeout: nil, total: at(1000))
        #expect(!names(machine.timerFired(now: at(1000))).contains("sendPing(1)"))
        #expect(!machine.awaitingLiveness)
    }

    @Test func theReadTimeoutStartsOnceTheRequestIsQueued() {
        var machine = opened(readTimeout: .seconds(2), uploading: true)
        #expect(machine.nextDeadline == nil)
        let (_, actions) = machine.send(1, count: 5, end: true, now: at(100))
        machine.uploadEnded(1)
        #expect(names(actions) == ["rescheduleTimer"])
        #expect(machine.nextDeadline == at(2100))
        #expect(machine.takeHead(1).name == "wait")
        #expect(names(machine.timerFired(now: at(2100))) == ["reset(1, CANCEL)", "wakeHead(1)", "sendPing(1)"])
        #expect(machine.takeHead(1).name == "failed(readTimeout)")
        #expect(machine.streams.isEmpty)
    }

    @Test func aConnectionFailureWakesEveryWaiterAndIsReportedOnce() {
        var machine = opened()
        guard case .wait = machine.takeHead(1) else { Issue.record("no wait"); return }
        guard case .success(let opaque) = machine.ping(now: at(1)) else { Issue.record("no ping"); return }
        let actions = machine.fail(HTTPCoreError(.connectionClosed, "gone"))
        #expect(actions.map(names) == ["wakeHead(1)", "resumePing(\(opaque), connectionClosed)"])
        #expect(machine.fail(HTTPCoreError(.connectionClosed, "again")) == nil)
        #expect(machine.takeHead(1).name == "failed(connectionClosed)")
    }

    /// The peer's FIN in the middle of a response body truncates it (as over HTTP/1.1);
    /// the network fault tests see this when the server is killed mid-body.
    @Test func thePeerClosingMidBodyTruncatesTheResponse() {
        var machine = opened()
        _ = machine.receive(.headers(stream: 1, fields: Self.ok, kind: .head), now: at(1))
        _ = machine.receive(.data(stream: 1, bytes: Array("part".utf8)), now: at(1))
        guard case .ready = machine.takeHead(1) else { Issue.record("no head"); return }
        _ = machine.fail(HTTPCoreError(.connectionClosed, "the peer closed the connection"), peerClosed: true)
        #expect(machine.read(1, maxBytes: .max, now: at(2)).0.name == "data(4)")
        #expect(machine.read(1, maxBytes: .max, now: at(2)).0.name == "failed(truncatedResponse)")
        // The reader took the error and no frame will come: the stream is forgotten (it
        // stayed in the table for good, found by the h2-client fuzz target).
        #expect(machine.streams.isEmpty)
    }

    @Test func thePeerClosingBeforeTheHeadIsAClosedConnection() {
        var machine = opened()
        _ = machine.fail(HTTPCoreError(.connectionClosed, "the peer closed the connection"), peerClosed: true)
        #expect(machine.takeHead(1).name == "failed(connectionClosed)")
    }

    @Test func waitFunctionalPingsOnlyWhenThePeerWasSilent() {
        var machine = Machine(role: .client, now: t0, functionalTimeout: .seconds(2), pingTimeout: .seconds(2))
        // No round trip known yet: a PING, and a second caller shares it.
        #expect(machine.waitFunctional(now: at(0)).name == "awaitPing(1, send: true)")
        #expect(machine.waitFunctional(now: at(1)).name == "awaitPing(1, send: false)")
        #expect(names(machine.receive(.pingAck(opaque: 1), now: at(30))) == ["resumePing(1, 30 ms)"])
        machine.bytesReceived(now: at(30))
        #expect(machine.waitFunctional(now: at(1000)).name == "functional(30 ms)")
        // Silent for longer than the timeout: a PING again, and no answer ends the connection.
        #expect(machine.waitFunctional(now: at(2100)).name == "awaitPing(2, send: true)")
        #expect(machine.nextDeadline == at(4100))
        #expect(names(machine.timerFired(now: at(4100))) == ["closeConnection(readTimeout)"])
    }

    @Test func theSettingsAcknowledgementGivesTheFirstRoundTrip() {
        var machine = Machine(role: .client, now: t0)
        #expect(names(machine.receive(.settings(maxConcurrentStreams: 10), now: at(5))) == [])
        #expect(machine.slots.peerLimit == 10)
        _ = machine.receive(.settingsAcknowledged, now: at(12))
        machine.bytesReceived(now: at(12))
        #expect(machine.waitFunctional(now: at(13)).name == "functional(12 ms)")
    }

    @Test func theServerRoleQueuesIncomingStreamsInOrder() {
        var machine = Machine(role: .server, now: t0)
        let get: HTTP2ReceivedHeaders = [(":method", "GET"), (":scheme", "https"), (":authority", "a.test"), (":path", "/x")]
        #expect(machine.takeIncoming().name == "wait")
        #expect(names(machine.receive(.headers(stream: 1, fields: get, kind: .head), now: at(1))) == ["wakeIncoming"])
        #expect(names(machine.receive(.headers(stream: 3, fields: get, kind: .head), now: at(1))) == ["wakeIncoming"])
        // A request without :path is malformed: reset, never handed out.
        #expect(names(machine.receive(.headers(stream: 5, fields: [(":method", "GET"), (":scheme", "https"), (":authority", "a.test")], kind: .head), now: at(1))) == ["reset(5, PROTOCOL_ERROR)"])
        #expect(names(machine.receive(.priorityUpdate(stream: 1, value: "u=1, i"), now: at(1))) == [])
        #expect(machine.streams[1]?.priority == "u=1, i")
        #expect(machine.takeIncoming().name == "stream(1)")
        guard case .ready(.request(let head)) = machine.takeHead(1) else { Issue.record("no request head"); return }
        #expect(head.path == "/x" && head.method == .get)
        #expect(machine.takeIncoming().name == "stream(3)")
        #expect(machine.slots.openStreams == 0)
        _ = machine.fail(HTTPCoreError(.connectionClosed, "bye"))
        #expect(machine.takeIncoming().name == "failed(connectionClosed)")
    }

    @Test func aServerResponseBodyHeldByFlowControlIsBoundedByTheWriteTimeout() {
        var machine = Machine(role: .server, now: t0)
        machine.incomingOptions = Machine.StreamOptions(readTimeout: nil, writeTimeout: .seconds(1))
        let get: HTTP2ReceivedHeaders = [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/")]
        _ = machine.receive(.headers(stream: 1, fields: get, kind: .head), now: at(0))
        _ = machine.receive(.endStream(1), now: at(0))
        #expect(machine.takeIncoming().name == "stream(1)")
        #expect(machine.startResponse(1, endStream: false) == nil)
        // The whole body fits the upload buffer: the handler need not wait, yet the bytes
        // are held until the client's window lets them go.
        let (step, actions) = machine.send(1, count: 10, end: true, now: at(0))
        #expect(step.name == "queue(wait: false)")
        #expect(names(actions) == ["rescheduleTimer"])
        // Progress restarts the wait: a slow reader is not a stalled one.
        #expect(names(machine.receive(.bodyFramed(stream: 1, count: 4), now: at(500))) == [])
        #expect(names(machine.timerFired(now: at(1000))) == [])
        #expect(names(machine.timerFired(now: at(1500))) == ["reset(1, CANCEL)", "sendPing(1)"])
    }

    @Test func aServerResponseBodyThatLeftEndsTheWriteWait() {
        var machine = Machine(role: .server, now: t0)
        machine.incomingOptions = Machine.StreamOptions(readTimeout: nil, writeTimeout: .seconds(1))
        let get: HTTP2ReceivedHeaders = [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/")]
        _ = machine.receive(.headers(stream: 1, fields: get, kind: .head), now: at(0))
        #expect(machine.takeIncoming().name == "stream(1)")
        #expect(machine.startResponse(1, endStream: false) == nil)
        _ = machine.send(1, count: 10, end: false, now: at(0))
        #expect(machine.streams[1]?.writeDeadline == at(1000))
        _ = machine.receive(.bodyFramed(stream: 1, count: 10), now: at(10))
        #expect(machine.streams[1]?.writeDeadline == nil)
    }

    // MARK: - Names

    func names(_ actions: [Machine.Action]) -> [String] { actions.map(\.name) }
}

extension HTTP2StateMachine.Action {
    var name: String {
        switch self {
        case .reset(let id, let code): "reset(\(id), \(code))"
        case .consume(let id, let count): "consume(\(id), \(count))"
        case .sendPing(let opaque): "sendPing(\(opaque))"
        case .wakeHead(let id): "wakeHead(\(id))"
        case .wakeData(let id): "wakeData(\(id))"
        case .wakeRoom(let id): "wakeRoom(\(id))"
        case .wakeIncoming: "wakeIncoming"
        case .resumeSlot(let ticket, let error): "resumeSlot(\(ticket), \(error.map { "\($0.code)" } ?? "granted"))"
        case .resumePing(let opaque, .success(let rtt)): "resumePing(\(opaque), \(rtt.components.seconds * 1000 + rtt.components.attoseconds / 1_000_000_000_000_000) ms)"
        case .resumePing(let opaque, .failure(let error)): "resumePing(\(opaque), \(error.code))"
        case .stopUpload(let id): "stopUpload(\(id))"
        case .rescheduleTimer: "rescheduleTimer"
        case .recordRequestSent(_, let bytes, _): "recordRequestSent(\(bytes))"
        case .closeConnection(let error): "closeConnection(\(error.code))"
        }
    }
}

extension HTTP2StateMachine.HeadStep {
    var name: String {
        switch self {
        case .ready: "ready"
        case .failed(let error): "failed(\(error.code))"
        case .wait: "wait"
        }
    }
}

extension HTTP2StateMachine.ReadStep {
    var name: String {
        switch self {
        case .data(let bytes): "data(\(bytes.count))"
        case .end: "end"
        case .failed(let error): "failed(\(error.code))"
        case .wait: "wait"
        }
    }
}

extension HTTP2StateMachine.SendStep {
    var name: String {
        switch self {
        case .queue(let wait): "queue(wait: \(wait))"
        case .stopped: "stopped"
        case .failed(let error): "failed(\(error.code))"
        }
    }
}

extension HTTP2StateMachine.RoomStep {
    var name: String {
        switch self {
        case .ready: "ready"
        case .stopped: "stopped"
        case .failed(let error): "failed(\(error.code))"
        case .wait: "wait"
        }
    }
}

extension HTTP2StateMachine.FunctionalStep {
    var name: String {
        switch self {
        case .functional(let rtt): "functional(\(rtt.components.seconds * 1000 + rtt.components.attoseconds / 1_000_000_000_000_000) ms)"
        case .awaitPing(let opaque, let send): "awaitPing(\(opaque), send: \(send))"
        case .failed(let error): "failed(\(error.code))"
        }
    }
}

extension HTTP2StateMachine.IncomingStep {
    var name: String {
        switch self {
        case .stream(let id): "stream(\(id))"
        case .failed(let error): "failed(\(error.code))"
        case .wait: "wait"
        }
    }
}
