import HTTPCore
@testable import HTTPCoreHTTP1
import HTTPTypes
import Testing

/// A corpus of HTTP/1.1 requests, valid, malformed and smuggling-shaped, each with the
/// transcript `HTTP1RequestParser` must produce under its strict policy. Every case is fed
/// whole, one byte at a time, and split in two at every offset (as the response corpus);
/// all must agree. An error
/// step carries the status a server answers with and the close flag.
// Serialized for the reason the response corpus is: CPU-bound cases starve other suites.
@Suite("HTTP/1 request parser corpus", .serialized)
struct HTTP1RequestParserCorpusTests {
    @Test(arguments: RequestCorpus.cases)
    func corpus(_ c: RequestCorpus.Case) {
        let input = c.input[...]
        #expect(RequestCorpus.run(c, pieces: [input]) == c.expected, "fed whole")
        #expect(RequestCorpus.run(c, pieces: input.indices.map { input[$0...$0] }) == c.expected, "fed one byte at a time")
        let differing = ParserCorpus.splitOffsets(count: input.count).filter {
            RequestCorpus.run(c, pieces: [input[..<$0], input[$0...]]) != c.expected
        }
        #expect(differing.isEmpty, "split in two: differs at offsets \(differing.prefix(5))")
    }

    /// Unique names, and a case without an error ends in `.end`, `.finished` or
    /// `.buffered`, or expects nothing at all (an incomplete head).
    @Test func corpusIsWellFormed() {
        let cases = RequestCorpus.cases
        #expect(cases.count >= 100)
        #expect(Set(cases.map(\.name)).count == cases.count, "duplicate case names")
        for c in cases {
            #expect(c.expected.dropLast().allSatisfy { if case .error = $0 { false } else { true } }, "\(c.name)")
        }
    }
}

// MARK: - Transcript and driver

enum RequestCorpus {
    typealias Field = ParserCorpus.Field

    struct Head: Hashable, Sendable, CustomStringConvertible {
        var method: String
        var scheme: String?
        var authority: String?
        var path: String?
        var fields: [Field]
        var version: HTTPVersion
        var keepAlive: Bool
        var expectsContinue: Bool

        var description: String {
            "\(method) \(scheme ?? "-")://\(authority ?? "-")\(path ?? "-") \(version) \(fields)"
                + " keepAlive: \(keepAlive) continue: \(expectsContinue)"
        }
    }

    /// Body bytes are concatenated across `.body` events, so the transcript does not
    /// depend on how the input was split.
    enum Step: Hashable, Sendable, CustomStringConvertible {
        case head(Head)
        case data([UInt8])
        case trailers([Field])
        case end
        /// `isFinished` after the input: no more requests on this connection.
        case finished
        /// Unconsumed bytes at the end (pipelined or tunnel bytes).
        case buffered(Int)
        case error(HTTP1ParseError, status: Int, closes: Bool)

        static func body(_ text: String) -> Step { .data(Array(text.utf8)) }

        var description: String {
            switch self {
            case .head(let head): "head(\(head))"
            case .data(let bytes): "body(\"\(ParserCorpus.abbreviated(String(decoding: bytes, as: UTF8.self)))\")"
            case .trailers(let fields): "trailers(\(fields))"
            case .end: "end"
            case .finished: "finished"
            case .buffered(let count): "buffered(\(count))"
            case .error(let error, let status, let closes): "error(.\(error), \(status), closes: \(closes))"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [UInt8]
        var limits: HTTP1Limits
        var eof: Bool
        var expected: [Step]
        var testDescription: String { name }
    }

    /// Feeds `pieces` in order, draining `next()` after each, then EOF if the case says so.
    static func run(_ c: Case, pieces: [ArraySlice<UInt8>]) -> [Step] {
        var parser = HTTP1RequestParser(limits: c.limits)
        var steps: [Step] = []
        var failure: HTTP1ParseError?

        func drain() -> Bool {
            do throws(HTTP1ParseError) {
                while let event = try parser.next() {
                    switch event {
                    case .head(let request):
                        steps.append(.head(Head(
                            method: request.method.rawValue, scheme: request.scheme, authority: request.authority,
                            path: request.path, fields: request.headerFields.map(Field.init), version: parser.version,
                            keepAlive: parser.keepAlive, expectsContinue: parser.expectsContinue
                        )))
                    case .body(let bytes):
                        if case .data(let earlier) = steps.last {
                            steps[steps.count - 1] = .data(earlier + bytes)
                        } else {
                            steps.append(.data(bytes))
                        }
                    case .trailers(let fields): steps.append(.trailers(fields.map(Field.init)))
                    case .end: steps.append(.end)
                    }
                }
                return true
            } catch {
                failure = error
                return false
            }
        }
        ParserCorpus.play(pieces, eof: c.eof, feed: { parser.feed($0) }, feedEOF: { parser.feedEOF() }, drain: drain)
        if let failure {
            steps.append(.error(failure, status: failure.requestStatus.code, closes: failure.closesConnection))
        } else {
            if parser.isFinished { steps.append(.finished) }
            if parser.bufferedByteCount > 0 { steps.append(.buffered(parser.bufferedByteCount)) }
        }
        return steps
    }
}

// MARK: - Builders

extension RequestCorpus {
    /// Small limits, so the limit cases stay short enough to split at every offset.
    static let small = HTTP1Limits(
        maxStartLineLength: 64, maxFieldLineLength: 100, maxHeaderSectionSize: 400, maxFieldCount: 10, maxChunkLineLength: 16
    )

    static func c(
        _ name: String, _ input: String, limits: HTTP1Limits = HTTP1Limits(), eof: Bool = false, expect expected: Step...
    ) -> Case {
        Case(name: name, input: Array(input.utf8), limits: limits, eof: eof, expected: expected)
    }

    /// The expected head of a request to example.com over http; Host is not among the
    /// fields (it becomes `authority`).
    static func head(
        _ method: String = "GET", _ path: String? = "/", _ fields: [Field] = [], scheme: String? = "http",
        authority: String? = "example.com", version: HTTPVersion = .http1_1, keepAlive: Bool = true, continue expects: Bool = false
    ) -> Step {
        .head(Head(
            method: method, scheme: scheme, authority: authority, path: path, fields: fields, version: version,
            keepAlive: keepAlive, expectsContinue: expects
        ))
    }

    /// An error with the status a server answers and the close flag (always set).
    static func error(_ error: HTTP1ParseError, _ status: Int = 400) -> Step { .error(error, status: status, closes: true) }

    static let host = "Host: example.com\r\n"
    static let get = "GET / HTTP/1.1\r\n" + host + "\r\n"
    static let post = "POST /p HTTP/1.1\r\n" + host
    static let chunkedPost = post + "Transfer-Encoding: chunked\r\n\r\n"
    static let cl5: Field = "Content-Length: 5"
    static let te: Field = "Transfer-Encoding: chunked"

    static let cases: [Case] = requestLineCases + targetCases + hostCases + fieldCases + contentLengthCases
        + transferEncodingCases + chunkCases + connectionCases + eofCases + limitCases
}
