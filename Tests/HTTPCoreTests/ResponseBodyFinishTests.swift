import HTTPCore
import Testing

/// `ResponseBody.onFinish`: how the pool hands a connection back. Every way a body can
/// end calls the completion exactly once; none may lose it (a lost one is a leaked slot).
@Suite struct ResponseBodyFinishTests {
    /// Counts calls, in order, by name.
    final class Calls: Sendable {
        private let names = Locked<[String]>([])
        func record(_ name: String) -> @Sendable () -> Void { { self.names.withLock { $0.append(name) } } }
        var all: [String] { names.withLock { $0 } }
    }

    /// A source that fails on its first read.
    final class FailingSource: ResponseBodySource {
        func nextPart() async throws -> ResponseBodyPart { throw HTTPCoreError(.readFailed, "the peer went away") }
        func release() {}
    }

    @Test func readingToTheEndCallsItOnceAtTheEnd() async throws {
        let calls = Calls()
        let body = ResponseBody(bytes: Array("hello".utf8))
        body.onFinish(calls.record("pool"))
        #expect(calls.all.isEmpty)
        #expect(try await body.collect(upTo: 100) == Array("hello".utf8))
        #expect(calls.all == ["pool"])
        body.close()
        #expect(calls.all == ["pool"])
    }

    @Test func closingOrDroppingUnreadCallsIt() async throws {
        let calls = Calls()
        let closed = ResponseBody(bytes: [1, 2, 3])
        closed.onFinish(calls.record("closed"))
        closed.close()
        #expect(calls.all == ["closed"])
        do {
            let dropped = ResponseBody(bytes: [1, 2, 3])
            dropped.onFinish(calls.record("dropped"))
        }
        #expect(calls.all == ["closed", "dropped"])
    }

    @Test func aFailedReadCallsIt() async throws {
        let calls = Calls()
        let body = ResponseBody(source: FailingSource())
        body.onFinish(calls.record("pool"))
        await #expect(throws: HTTPCoreError.self) { try await body.collect(upTo: 100) }
        #expect(calls.all == ["pool"])
    }

    @Test func aCompletionSetAfterTheEndRunsAtOnce() async throws {
        let calls = Calls()
        let body = ResponseBody(bytes: [7])
        _ = try await body.collect(upTo: 10)
        body.onFinish(calls.record("late"))
        #expect(calls.all == ["late"])
    }

    @Test func aSecondCompletionRunsAfterTheFirst() async throws {
        let calls = Calls()
        let body = ResponseBody(bytes: [7])
        body.onFinish(calls.record("inner"))
        body.onFinish(calls.record("outer"))
        _ = try await body.collect(upTo: 10)
        #expect(calls.all == ["inner", "outer"])
    }

    @Test func aTakenSourceCarriesTheCompletion() async throws {
        let calls = Calls()
        let body = ResponseBody(bytes: [1, 2])
        body.onFinish(calls.record("pool"))
        let source = body.takeSource()
        #expect(calls.all.isEmpty, "taking the source is not the end")
        while case .data = try await source.nextPart() {}
        #expect(calls.all == ["pool"])
        source.release()
        #expect(calls.all == ["pool"])
    }
}
