import HTTPCore
import HTTPCoreMock
import Testing

@Suite struct MockScriptedStreamTests {
    let clock = ManualClock()

    @Test func playsReadsAndChecksWritesInOrder() async throws {
        let stream = MockScriptedStream([.write("ping"), .read("pong"), .eof], clock: clock)
        try await stream.write(Array("pi".utf8))
        try await stream.write(Array("ng".utf8))
        #expect(try await stream.read(maxBytes: 2) == Array("po".utf8))
        #expect(try await stream.read(maxBytes: 10) == Array("ng".utf8))
        #expect(try await stream.read(maxBytes: 10) == nil)
        #expect(try await stream.read(maxBytes: 10) == nil)
        #expect(stream.isComplete)
        #expect(stream.written == Array("ping".utf8))
        #expect(stream.failures.isEmpty)
    }

    @Test func mismatchedWriteFailsShowingBoth() async throws {
        let stream = MockScriptedStream([.write("GET / HTTP/1.1\r\n")], clock: clock)
        let error = await #expect(throws: HTTPCoreError.self) {
            try await stream.write(Array("GET /x HTTP/1.1\r\n".utf8))
        }
        let message = try #require(stream.failures.first)
        #expect(message.contains("expected: \"GET / HTTP/1.1\\r\\n\""))
        #expect(message.contains("actual:   \"GET /x HTTP/1.1\\r\\n\""))
        #expect(message.contains("at byte 5"))
        #expect(error?.code == .writeFailed)
        // The stream stays broken: later operations fail too.
        await #expect(throws: HTTPCoreError.self) { try await stream.read(maxBytes: 1) }
    }

    @Test func prefixAcceptsTheRestOfThatWrite() async throws {
        let stream = MockScriptedStream([.writePrefix("Date: "), .write("\r\n")], clock: clock)
        try await stream.write(Array("Date: Sat, 21 Nov 2026".utf8))
        try await stream.write(Array("\r\n".utf8))
        #expect(stream.isComplete)
        #expect(stream.failures.isEmpty)
    }

    @Test func writeWhenThePeerShouldSpeakIsAFailure() async throws {
        let stream = MockScriptedStream([.read("hello")], clock: clock)
        await #expect(throws: HTTPCoreError.self) { try await stream.write([1]) }
        #expect(stream.failures.first?.contains("unexpected write") == true)
    }

    @Test func writePastTheEndIsAFailure() async throws {
        let stream = MockScriptedStream([], clock: clock)
        await #expect(throws: HTTPCoreError.self) { try await stream.write([1]) }
        #expect(stream.failures.first?.contains("after the end of the script") == true)
    }

    @Test(arguments: [HTTPCoreError.Code.connectionReset, .readTimeout, .readFailed])
    func scriptedFailureHitsTheNextOperation(code: HTTPCoreError.Code) async throws {
        let stream = MockScriptedStream([.read("ab"), .fail(code)], clock: clock)
        #expect(try await stream.read(maxBytes: 10) == Array("ab".utf8))
        let error = await #expect(throws: HTTPCoreError.self) { try await stream.read(maxBytes: 10) }
        #expect(error?.code == code)
        let again = await #expect(throws: HTTPCoreError.self) { try await stream.write([1]) }
        #expect(again?.code == code)
    }

    @Test func delayHoldsReadsUntilTheClockMoves() async throws {
        let stream = MockScriptedStream([.delay(.seconds(5)), .read("late")], clock: clock)
        let read = Task { try await stream.read(maxBytes: 10) }
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(4))
        #expect(clock.pendingTimers == 1)
        clock.advance(by: .seconds(1))
        #expect(try await read.value == Array("late".utf8))
    }

    @Test func readDeadlineTimesOutWithoutLosingData() async throws {
        let stream = MockScriptedStream([.delay(.seconds(10)), .read("data")], clock: clock)
        let read = Task { try await stream.read(maxBytes: 10, deadline: clock.now + .seconds(3)) }
        try await clock.waitForTimers(2)
        clock.advance(by: .seconds(3))
        let error = await #expect(throws: HTTPCoreError.self) { try await read.value }
        #expect(error?.code == .readTimeout)
        clock.advance(by: .seconds(7))
        #expect(try await stream.read(maxBytes: 10) == Array("data".utf8))
    }

    @Test func writeDeadlineOnASlowPeer() async throws {
        let stream = MockScriptedStream([.delay(.seconds(10)), .write("x")], clock: clock)
        let write = Task { try await stream.write([UInt8(ascii: "x")], deadline: clock.now + .seconds(1)) }
        try await clock.waitForTimers(2)
        clock.advance(by: .seconds(1))
        let error = await #expect(throws: HTTPCoreError.self) { try await write.value }
        #expect(error?.code == .writeTimeout)
    }

    @Test func cancelledReadKeepsTheBytesForTheNextRead() async throws {
        let stream = MockScriptedStream([.delay(.seconds(1)), .read("kept")], clock: clock)
        let read = Task { try await stream.read(maxBytes: 10) }
        try await clock.waitForTimers(1)
        read.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await read.value }
        #expect(error?.code == .cancelled)
        clock.advance(by: .seconds(1))
        #expect(try await stream.read(maxBytes: 10) == Array("kept".utf8))
    }

    @Test func closeResumesAPendingRead() async throws {
        let stream = MockScriptedStream([], clock: clock)
        let read = Task { try await stream.read(maxBytes: 10, deadline: clock.now + .seconds(60)) }
        try await clock.waitForTimers(1)
        await stream.close(.abortive)
        let error = await #expect(throws: HTTPCoreError.self) { try await read.value }
        #expect(error?.code == .connectionClosed)
        #expect(stream.closeMode == .abortive)
    }

    @Test func isReadableFollowsTheScript() async throws {
        let stream = MockScriptedStream([.write("a"), .read("b"), .eof], clock: clock)
        #expect(!stream.isReadable)
        try await stream.write([UInt8(ascii: "a")])
        #expect(stream.isReadable)
        _ = try await stream.read(maxBytes: 1)
        #expect(stream.isReadable)  // EOF is next
    }

    @Test func splittingReadsCutsOnlyReads() {
        let steps: [MockStep] = [.write("abc"), .read("defg"), .eof]
        #expect(steps.splittingReads(into: 3) == [.write("abc"), .read("def"), .read("g"), .eof])
    }
}
