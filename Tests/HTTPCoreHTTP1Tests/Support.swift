import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// How a test's scripted reads arrive: as written, or one byte at a time.
enum ReadSplit: CaseIterable, CustomTestStringConvertible {
    case whole, oneByte

    func apply(_ steps: [MockStep]) -> [MockStep] {
        self == .whole ? steps : steps.splittingReads(into: 1)
    }

    var testDescription: String { self == .whole ? "whole reads" : "1-byte reads" }
}

/// A connection to http://example.com over a scripted stream on a manual clock.
struct Harness {
    let clock = ManualClock()
    let stream: MockScriptedStream
    let connection: HTTP1Connection

    init(_ steps: [MockStep], split: ReadSplit = .whole, configuration: HTTP1Connection.Configuration = .init()) {
        stream = MockScriptedStream(split.apply(steps), clock: clock)
        connection = HTTP1Connection(
            stream: stream, origin: Origin(scheme: "http", host: "example.com", port: 80),
            clock: clock, configuration: configuration
        )
    }

    func get(_ path: String = "/", headers: [(String, String)] = [], options: RequestOptions = .init()) throws -> Request {
        try Request(method: "GET", url: "http://example.com\(path)", headers: headers, options: options)
    }

    /// Asserts the script was played to the end with no mismatch.
    func expectScriptDone(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stream.failures == [], sourceLocation: sourceLocation)
        #expect(stream.isComplete, "unplayed: \(stream.remainingSteps)", sourceLocation: sourceLocation)
    }
}

extension ResponseBody {
    func string() async throws -> String { String(decoding: try await collect(upTo: 1 << 24), as: UTF8.self) }
}

/// A request body whose chunks the test hands over one by one; `requests` counts how
/// often the connection asked for the next chunk.
final class GatedBody: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let stream: AsyncStream<[UInt8]>
    let continuation: AsyncStream<[UInt8]>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    func makeAsyncIterator() -> AsyncStream<[UInt8]>.Iterator { stream.makeAsyncIterator() }
    func send(_ text: String) { continuation.yield(Array(text.utf8)) }
    func finish() { continuation.finish() }
}
