import HTTPCore
@testable import HTTPCoreHTTP1
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// A corpus of HTTP/1.1 responses, valid and malformed, each with the transcript the parser
/// must produce under the parsing policy (ARCHITECTURE.md section 4). Every case is fed
/// whole, one byte at a time, and split in two at every offset (at about 300 evenly spaced
/// offsets for inputs of 8 KiB or more); all must give the expected transcript.
// Serialized: the cases are CPU-bound and synchronous; run in parallel they fill the
// cooperative pool's queue and starve every other suite's I/O for tens of seconds.
@Suite("HTTP/1 response parser corpus", .serialized)
struct HTTP1ParserCorpusTests {
    typealias Step = ParserCorpus.Step

    @Test(arguments: ParserCorpus.cases)
    func corpus(_ c: ParserCorpus.Case) {
        let input = c.input[...]
        let whole = ParserCorpus.run(c, pieces: [input])
        #expect(whole == c.expected, "fed whole")

        let bytewise = ParserCorpus.run(c, pieces: input.indices.map { input[$0...$0] })
        #expect(bytewise == c.expected, "fed one byte at a time")

        var differing: [Int] = []
        var firstDifference: [Step] = []
        for offset in c.splitOffsets {
            let transcript = ParserCorpus.run(c, pieces: [input[..<offset], input[offset...]])
            if transcript != c.expected {
                if differing.isEmpty { firstDifference = transcript }
                differing.append(offset)
            }
        }
        let everySplitMatches = differing.isEmpty
        #expect(
            everySplitMatches,
            "split in two: \(differing.count) of \(c.splitOffsets.count) offsets differ, first at \(differing.first ?? -1): \(firstDifference)"
        )
    }

    /// The table itself: enough cases, unique names, and every case that expects no error
    /// expects an `.end` per request (so a parser stuck waiting for bytes cannot pass).
    @Test func corpusIsWellFormed() {
        let cases = ParserCorpus.cases
        #expect(cases.count >= 70)
        #expect(Set(cases.map(\.name)).count == cases.count, "duplicate case names")
        for c in cases {
            let ends = c.expected.filter { if case .end = $0 { true } else { false } }.count
            if case .error = c.expected.last {
                #expect(ends < c.methods.count, "\(c.name): an error after the last .end is never reached")
            } else {
                #expect(ends == c.methods.count, "\(c.name): expects \(ends) ends for \(c.methods.count) requests")
            }
            #expect(!c.expected.contains(.incomplete), "\(c.name)")
            #expect(c.expected.dropLast().allSatisfy { if case .error = $0 { false } else { true } }, "\(c.name)")
        }
    }
}

// MARK: - Transcript and driver

enum ParserCorpus {
    /// A field as `"Name: value"` (split at the first colon, one space after it dropped).
    struct Field: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        var name: String
        var value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        init(stringLiteral text: String) {
            let colon = text.firstIndex(of: ":")!
            name = String(text[..<colon])
            var rest = text[text.index(after: colon)...]
            if rest.first == " " { rest = rest.dropFirst() }
            value = String(rest)
        }

        init(_ field: HTTPField) {
            name = field.name.rawName
            value = field.withUnsafeBytesOfValue { String(decoding: $0, as: UTF8.self) }
        }

        var description: String { "\(name): \(ParserCorpus.abbreviated(value))" }
    }

    /// One entry of a normalized transcript: body bytes are concatenated across consecutive
    /// `.body` events so the transcript does not depend on how the input was split.
    enum Step: Hashable, Sendable, CustomStringConvertible {
        case info(Int, [Field] = [])
        case head(Int, String, [Field] = [], HTTPVersion = .http1_1)
        case data([UInt8])
        case trailers([Field])
        case end(keepAlive: Bool)
        /// Unconsumed bytes after the last expected `.end` (only recorded without an error).
        case buffered(Int)
        /// The input ran out (and EOF, if any, was fed) before every request got its `.end`.
        case incomplete
        case error(HTTP1ParseError)

        static func body(_ text: String) -> Step { .data(Array(text.utf8)) }

        var description: String {
            switch self {
            case .info(let status, let fields): "info(\(status), \(fields))"
            case .head(let status, let reason, let fields, let version):
                "head(\(status) \"\(abbreviated(reason))\", \(fields.count > 12 ? "\(fields.count) fields" : "\(fields)"), \(version))"
            case .data(let bytes): "body(\"\(abbreviated(String(decoding: bytes, as: UTF8.self)))\")"
            case .trailers(let fields): "trailers(\(fields))"
            case .end(let keepAlive): "end(keepAlive: \(keepAlive))"
            case .buffered(let count): "buffered(\(count))"
            case .incomplete: "incomplete"
            case .error(let error): "error(.\(error))"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [UInt8]
        var methods: [HTTPRequest.Method]
        var limits: HTTP1Limits
        var eof: Bool
        var expected: [Step]

        var testDescription: String { name }

        var splitOffsets: [Int] { ParserCorpus.splitOffsets(count: input.count) }
    }

    /// Every offset for inputs under 8 KiB, else about 300 evenly spaced ones.
    static func splitOffsets(count: Int) -> [Int] {
        guard count >= 8 * 1024 else { return count < 2 ? [] : Array(1..<count) }
        return Array(Set((1...300).map { $0 * count / 301 })).sorted()
    }

    /// Feeds `pieces` in order, draining after each, then EOF if `eof`; stops once
    /// `drain` reports an error (returns false). Shared by the response and request corpora.
    static func play(
        _ pieces: [ArraySlice<UInt8>], eof: Bool, feed: ([UInt8]) -> Void, feedEOF: () -> Void, drain: () -> Bool
    ) {
        for piece in pieces {
            feed(Array(piece))
            guard drain() else { return }
        }
        if eof {
            feedEOF()
            _ = drain()
        }
    }

    static func abbreviated(_ text: String) -> String {
        text.utf8.count <= 120 ? text : "\(text.prefix(60))…(\(text.utf8.count) bytes)"
    }

    /// Feeds `pieces` in order, draining `next()` after each; arms the parser for the next
    /// method after each `.end`; feeds EOF at the end if the case says so. Stops at the
    /// first error.
    static func run(_ c: Case, pieces: [ArraySlice<UInt8>]) -> [Step] {
        var parser = HTTP1ResponseParser(limits: c.limits)
        var pending = c.methods[...]
        parser.startResponse(to: pending.removeFirst())
        var events: [HTTP1ResponseEvent] = []
        var failure: HTTP1ParseError?

        func drain() -> Bool {
            do throws(HTTP1ParseError) {
                while let event = try parser.next() {
                    events.append(event)
                    if case .end = event, let method = pending.popFirst() { parser.startResponse(to: method) }
                }
                return true
            } catch {
                failure = error
                return false
            }
        }
        play(pieces, eof: c.eof, feed: { parser.feed($0) }, feedEOF: { parser.feedEOF() }, drain: drain)

        var steps: [Step] = []
        var ends = 0
        for event in events {
            switch event {
            case .informational(let response):
                steps.append(.info(response.status.code, response.headerFields.map(Field.init)))
            case .head(let response, let version):
                steps.append(.head(
                    response.status.code, response.status.reasonPhrase, response.headerFields.map(Field.init), version
                ))
            case .body(let bytes):
                if case .data(let earlier) = steps.last {
                    steps[steps.count - 1] = .data(earlier + bytes)
                } else {
                    steps.append(.data(bytes))
                }
            case .trailers(let fields):
                steps.append(.trailers(fields.map(Field.init)))
            case .end(let keepAlive):
                steps.append(.end(keepAlive: keepAlive))
                ends += 1
            }
        }
        if let failure {
            steps.append(.error(failure))
        } else if ends < c.methods.count {
            steps.append(.incomplete)
        } else if parser.bufferedByteCount > 0 {
            steps.append(.buffered(parser.bufferedByteCount))
        }
        return steps
    }
}

// MARK: - The corpus

extension ParserCorpus {
    /// Small limits, so the limit cases stay short enough to split at every offset.
    static let small = HTTP1Limits(
        maxStartLineLength: 64, maxFieldLineLength: 100, maxHeaderSectionSize: 400, maxFieldCount: 10, maxChunkLineLength: 16
    )

    static func c(
        _ name: String, _ input: String, methods: [HTTPRequest.Method] = [.get], limits: HTTP1Limits = HTTP1Limits(),
        eof: Bool = false, expect expected: Step...
    ) -> Case {
        Case(name: name, input: Array(input.utf8), methods: methods, limits: limits, eof: eof, expected: expected)
    }

    /// `"name: xxx…"` exactly `length` bytes long, and the field it parses to.
    static func filler(_ name: String, length: Int, fill: Character = "x") -> (line: String, field: Field) {
        let value = String(repeating: fill, count: length - name.utf8.count - 2)
        return ("\(name): \(value)", Field(name, value))
    }

    static let ok = "HTTP/1.1 200 OK\r\n"
    static let chunkedOK = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    static let cl0: Field = "Content-Length: 0"
    static let cl5: Field = "Content-Length: 5"
    static let teChunked: Field = "Transfer-Encoding: chunked"

    static let cases: [Case] = statusLineCases + fieldCases + contentLengthCases + chunkedCases + connectionCases
        + framingCases + eofCases + smallLimitCases + defaultLimitCases

    // MARK: Status line

    static let statusLineCases: [Case] = [
        c("status-no-reason", "HTTP/1.1 204\r\n\r\n", expect: .head(204, ""), .end(keepAlive: true)),
        c("status-empty-reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", expect: .head(200, "", [cl0]), .end(keepAlive: true)),
        c(
            "reason-htab-and-obs-text", "HTTP/1.1 404 Not\tFound Caf\u{E9}\r\nContent-Length: 0\r\n\r\n",
            expect: .head(404, "Not\tFound Caf\u{E9}", [cl0]), .end(keepAlive: true)
        ),
        c("status-999", "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", expect: .head(999, "Odd", [cl0]), .end(keepAlive: true)),
        c("status-100-is-lowest-valid", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
          expect: .info(100), .head(200, "OK", [cl0]), .end(keepAlive: true)),
        c("version-1.2-is-1.1", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", expect: .head(200, "OK", [cl0]), .end(keepAlive: true)),
        c("version-2.0", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidVersion)),
        c("version-1.x", "HTTP/1.x 200 OK\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidVersion)),
        c("version-0.9", "HTTP/0.9 200 OK\r\n\r\n", expect: .error(.invalidVersion)),
        c("version-1.10", "HTTP/1.10 200 OK\r\n\r\n", expect: .error(.invalidVersion)),
        c("version-no-minor", "HTTP/1 200 OK\r\n\r\n", expect: .error(.invalidVersion)),
        c("version-missing", "HTTP/ 200 OK\r\n\r\n", expect: .error(.invalidVersion)),
        c("not-http", "ICY 200 OK\r\n\r\n", expect: .error(.invalidStatusLine)),
        c("lowercase-http", "http/1.1 200 OK\r\n\r\n", expect: .error(.invalidStatusLine)),
        c("version-only", "HTTP/1.1\r\n\r\n", expect: .error(.invalidStatusLine)),
        c("empty-line-before-status-line", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidStatusLine)),
        c("status-two-digits", "HTTP/1.1 20 OK\r\n\r\n", expect: .error(.invalidStatusCode)),
        c("status-four-digits", "HTTP/1.1 2000 OK\r\n\r\n", expect: .error(.invalidStatusCode)),
        c("status-below-100", "HTTP/1.1 099 Low\r\n\r\n", expect: .error(.invalidStatusCode)),
        c("status-not-digits", "HTTP/1.1 2x0 OK\r\n\r\n", expect: .error(.invalidStatusCode)),
        c("status-missing", "HTTP/1.1 \r\n\r\n", expect: .error(.invalidStatusCode)),
        c("status-reason-without-space", "HTTP/1.1 200OK\r\n\r\n", expect: .error(.invalidStatusCode)),
        c("reason-control-char", "HTTP/1.1 200 O\u{1}K\r\n\r\n", expect: .error(.invalidFieldValue)),
        c("reason-del", "HTTP/1.1 200 O\u{7F}K\r\n\r\n", expect: .error(.invalidFieldValue)),
        c("bare-cr-in-status-line", "HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n", expect: .error(.bareCR)),
        c("bare-cr-checked-before-version", "HTTP/9.9 200 O\rK\r\n\r\n", expect: .error(.bareCR)),
        c("nul-in-status-line", "HTTP/1.1 200 O\u{0}K\r\n\r\n", expect: .error(.nulByte)),
        c("nul-checked-before-status-code", "HTTP/1.1 2x0\u{0}\r\n\r\n", expect: .error(.nulByte)),
    ]

    // MARK: Field lines

    static let fieldCases: [Case] = [
        c(
            "obs-fold", ok + "X-Folded: one\r\n two  \r\n\t three\r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["X-Folded: one two three", cl0]), .end(keepAlive: true)
        ),
        c(
            "obs-fold-bare-lf", "HTTP/1.1 200 OK\nX-Folded: one\n\ttwo\nContent-Length: 0\n\n",
            expect: .head(200, "OK", ["X-Folded: one two", cl0]), .end(keepAlive: true)
        ),
        c("obs-fold-first-line", ok + " X-A: b\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidObsFold)),
        // A field value has no leading or trailing whitespace (RFC 9110 section 5.5), so the one
        // joining space goes only between two non-empty parts.
        c(
            "obs-fold-onto-empty-value", ok + "X-A:\r\n b\r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["X-A: b", cl0]), .end(keepAlive: true)
        ),
        c(
            "obs-fold-whitespace-only-continuation", ok + "X-A: a\r\n \t \r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["X-A: a", cl0]), .end(keepAlive: true)
        ),
        c(
            "ows-trimmed-empty-value-htab-inside", ok + "X-A: \t spaced \t\r\nX-Empty:\r\nX-Tab: a\tb\r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["X-A: spaced", "X-Empty:", "X-Tab: a\tb", cl0]), .end(keepAlive: true)
        ),
        c(
            "field-value-obs-text", ok + "X-Name: Caf\u{E9}\r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["X-Name: Caf\u{E9}", cl0]), .end(keepAlive: true)
        ),
        c(
            "field-names-case-insensitive", ok + "content-length: 5\r\nCONNECTION: CLOSE\r\n\r\nhello",
            expect: .head(200, "OK", ["content-length: 5", "CONNECTION: CLOSE"]), .body("hello"), .end(keepAlive: false)
        ),
        c("space-before-colon", ok + "Content-Length : 5\r\n\r\nhello", expect: .error(.whitespaceBeforeColon)),
        c("htab-before-colon", ok + "X-A\t: b\r\nContent-Length: 0\r\n\r\n", expect: .error(.whitespaceBeforeColon)),
        c("field-without-colon", ok + "NoColonHere\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidFieldName)),
        c("field-empty-name", ok + ": value\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidFieldName)),
        c("field-name-not-tchar", ok + "X(A): b\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidFieldName)),
        c("field-name-with-space", ok + "X A: b\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidFieldName)),
        c("field-value-control-char", ok + "X-A: a\u{1}b\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidFieldValue)),
        c("field-value-del", ok + "X-A: a\u{7F}b\r\nContent-Length: 0\r\n\r\n", expect: .error(.invalidFieldValue)),
        c("bare-cr-in-field-value", ok + "X-A: a\rb\r\nContent-Length: 0\r\n\r\n", expect: .error(.bareCR)),
        c("bare-cr-before-crlf", ok + "X-A: ab\r\r\nContent-Length: 0\r\n\r\n", expect: .error(.bareCR)),
        c("bare-cr-checked-before-colon", ok + "X\rA\r\nContent-Length: 0\r\n\r\n", expect: .error(.bareCR)),
        c("bare-cr-in-final-empty-line", ok + "Content-Length: 0\r\n\r\r\n", expect: .error(.bareCR)),
        c("nul-in-field-value", ok + "X-A: a\u{0}b\r\nContent-Length: 0\r\n\r\n", expect: .error(.nulByte)),
        c("nul-checked-before-field-name", ok + "X\u{0}A: b\r\nContent-Length: 0\r\n\r\n", expect: .error(.nulByte)),
    ]

    // MARK: Content-Length

    static let contentLengthCases: [Case] = [
        c("cl-basic", ok + "Content-Length: 5\r\n\r\nhello", expect: .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true)),
        c("cl-zero-empty-body", ok + "Content-Length: 0\r\n\r\n", expect: .head(200, "OK", [cl0]), .end(keepAlive: true)),
        c(
            "cl-then-eof", ok + "Content-Length: 5\r\n\r\nhello", eof: true,
            expect: .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "cl-leading-zeros", ok + "Content-Length: 0005\r\n\r\nhello",
            expect: .head(200, "OK", ["Content-Length: 0005"]), .body("hello"), .end(keepAlive: true)
        ),
        c("cl-plus-sign", ok + "Content-Length: +5\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-minus-sign", ok + "Content-Length: -5\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-empty", ok + "Content-Length:\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-space-inside", ok + "Content-Length: 5 5\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-hex", ok + "Content-Length: 0x5\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-trailing-comma", ok + "Content-Length: 5,\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c(
            "cl-list-same", ok + "Content-Length: 5, 5\r\n\r\nhello",
            expect: .head(200, "OK", ["Content-Length: 5, 5"]), .body("hello"), .end(keepAlive: true)
        ),
        c("cl-list-differ", ok + "Content-Length: 5, 6\r\n\r\nhello", expect: .error(.conflictingContentLength)),
        c(
            "cl-repeated-same", ok + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            expect: .head(200, "OK", [cl5, cl5]), .body("hello"), .end(keepAlive: true)
        ),
        c("cl-repeated-differ", ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", expect: .error(.conflictingContentLength)),
        c("cl-repeated-one-bad", ok + "Content-Length: 5\r\nContent-Length: x\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-int-max-plus-one", ok + "Content-Length: 9223372036854775808\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c("cl-overflow-long", ok + "Content-Length: 99999999999999999999999\r\n\r\nhello", expect: .error(.invalidContentLength)),
        c(
            "cl-int-max-truncated", ok + "Content-Length: 9223372036854775807\r\n\r\nabc", eof: true,
            expect: .head(200, "OK", ["Content-Length: 9223372036854775807"]), .body("abc"), .error(.truncatedBody)
        ),
        c(
            "cl-extra-bytes-stay-buffered", ok + "Content-Length: 2\r\n\r\nhiEXTRA",
            expect: .head(200, "OK", ["Content-Length: 2"]), .body("hi"), .end(keepAlive: true), .buffered(5)
        ),
        c(
            "cl-with-te-chunked", ok + "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            expect: .head(200, "OK", ["Content-Length: 100", teChunked]), .body("hello"), .end(keepAlive: false)
        ),
        // With Transfer-Encoding present, Content-Length is not used, so it is not validated
        // either (RFC 9112 section 6.3, items 3 and 5).
        c(
            "te-wins-over-invalid-cl", ok + "Content-Length: 5, 6\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            expect: .head(200, "OK", ["Content-Length: 5, 6", teChunked]), .body("hello"), .end(keepAlive: false)
        ),
    ]

    // MARK: Transfer-Encoding and chunked bodies

    static let chunkedCases: [Case] = [
        c(
            "chunked-basic", chunkedOK + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello world"), .end(keepAlive: true)
        ),
        c(
            "chunked-extensions-and-trailers",
            chunkedOK + "5;name=value\r\nhello\r\nA ; a=\"b\";c\r\n0123456789\r\n0;last\r\nX-Checksum: abc\r\nX-Other:  1 \r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello0123456789"), .trailers(["X-Checksum: abc", "X-Other: 1"]),
            .end(keepAlive: true)
        ),
        c(
            "chunked-bws-before-extension", chunkedOK + "5 \t;a=b\r\nhello\r\n0 \r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "chunked-uppercase-hex", chunkedOK + "00A\r\n0123456789\r\n0\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("0123456789"), .end(keepAlive: true)
        ),
        c(
            "last-chunk-several-zeros", chunkedOK + "3\r\nabc\r\n000\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("abc"), .end(keepAlive: true)
        ),
        c(
            "chunk-size-19-digits-leading-zeros", chunkedOK + "0000000000000000005\r\nhello\r\n0\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "chunk-size-int-max-truncated", chunkedOK + "7fffffffffffffff\r\nabc", eof: true,
            expect: .head(200, "OK", [teChunked]), .body("abc"), .error(.truncatedBody)
        ),
        c(
            "chunk-size-overflow-16-digits", chunkedOK + "8000000000000000\r\nabc",
            expect: .head(200, "OK", [teChunked]), .error(.chunkSizeOverflow)
        ),
        c(
            "chunk-size-overflow-17-digits", chunkedOK + "10000000000000000\r\nabc",
            expect: .head(200, "OK", [teChunked]), .error(.chunkSizeOverflow)
        ),
        c("chunk-size-negative", chunkedOK + "-1\r\nabc", expect: .head(200, "OK", [teChunked]), .error(.invalidChunkSize)),
        c("chunk-size-0x", chunkedOK + "0x10\r\n0123456789abcdef\r\n0\r\n\r\n", expect: .head(200, "OK", [teChunked]), .error(.invalidChunkSize)),
        c("chunk-size-empty", chunkedOK + "\r\nhello\r\n0\r\n\r\n", expect: .head(200, "OK", [teChunked]), .error(.invalidChunkSize)),
        c("chunk-size-extension-only", chunkedOK + ";x\r\nhello\r\n0\r\n\r\n", expect: .head(200, "OK", [teChunked]), .error(.invalidChunkSize)),
        c("chunk-size-junk-after-bws", chunkedOK + "5 x\r\nhello\r\n0\r\n\r\n", expect: .head(200, "OK", [teChunked]), .error(.invalidChunkSize)),
        c(
            "chunk-data-not-followed-by-crlf", chunkedOK + "5\r\nhelloX\r\n0\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello"), .error(.missingChunkTerminator)
        ),
        c(
            "chunk-data-followed-by-cr-only", chunkedOK + "5\r\nhello\rX0\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello"), .error(.missingChunkTerminator)
        ),
        c(
            "chunk-data-longer-than-size", chunkedOK + "3\r\nhello\r\n0\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hel"), .error(.missingChunkTerminator)
        ),
        c(
            "trailers-obs-fold", chunkedOK + "5\r\nhello\r\n0\r\nX-T: a\r\n  b\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .body("hello"), .trailers(["X-T: a b"]), .end(keepAlive: true)
        ),
        c(
            "trailers-obs-fold-first-line", chunkedOK + "0\r\n X-T: a\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .error(.invalidObsFold)
        ),
        c(
            "trailers-space-before-colon", chunkedOK + "0\r\nX-T : a\r\n\r\n",
            expect: .head(200, "OK", [teChunked]), .error(.whitespaceBeforeColon)
        ),
        c(
            "te-gzip-then-chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            expect: .head(200, "OK", ["Transfer-Encoding: gzip, chunked"]), .body("abc"), .end(keepAlive: true)
        ),
        c(
            "te-across-two-fields", ok + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            expect: .head(200, "OK", ["Transfer-Encoding: gzip", teChunked]), .body("abc"), .end(keepAlive: true)
        ),
        c(
            "te-case-insensitive", ok + "Transfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            expect: .head(200, "OK", ["Transfer-Encoding: CHUNKED"]), .body("abc"), .end(keepAlive: true)
        ),
        c(
            "te-chunked-not-final-is-close-delimited", ok + "Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n", eof: true,
            expect: .head(200, "OK", ["Transfer-Encoding: chunked, gzip"]), .body("3\r\nabc\r\n0\r\n\r\n"), .end(keepAlive: false)
        ),
        c(
            "te-identity-is-close-delimited", ok + "Transfer-Encoding: identity\r\n\r\nraw bytes", eof: true,
            expect: .head(200, "OK", ["Transfer-Encoding: identity"]), .body("raw bytes"), .end(keepAlive: false)
        ),
        c("te-chunked-twice", ok + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", expect: .error(.invalidTransferEncoding)),
        c(
            "te-chunked-twice-across-fields", ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            expect: .error(.invalidTransferEncoding)
        ),
        c("te-empty-coding-in-list", ok + "Transfer-Encoding: gzip,,chunked\r\n\r\n0\r\n\r\n", expect: .error(.invalidTransferEncoding)),
        c("te-empty-value", ok + "Transfer-Encoding:\r\n\r\n0\r\n\r\n", expect: .error(.invalidTransferEncoding)),
    ]

    // MARK: Versions, keep-alive and close-delimited bodies

    static let connectionCases: [Case] = [
        c(
            "bare-lf-only", "HTTP/1.1 200 OK\nContent-Length: 5\nX-A: b\n\nhello",
            expect: .head(200, "OK", [cl5, "X-A: b"]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "bare-lf-only-chunked", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n0\nX-T: 1\n\n",
            expect: .head(200, "OK", [teChunked]), .body("hello"), .trailers(["X-T: 1"]), .end(keepAlive: true)
        ),
        c(
            "mixed-line-endings", "HTTP/1.1 200 OK\nContent-Length: 5\r\nX-A: b\n\r\nhello",
            expect: .head(200, "OK", [cl5, "X-A: b"]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "http10-without-keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            expect: .head(200, "OK", [cl5], .http1_0), .body("hello"), .end(keepAlive: false)
        ),
        c(
            "http10-with-keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 5\r\n\r\nhello",
            expect: .head(200, "OK", ["Connection: Keep-Alive", cl5], .http1_0), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "http10-keep-alive-and-close", "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["Connection: keep-alive, close", cl0], .http1_0), .end(keepAlive: false)
        ),
        c(
            "http10-close-delimited", "HTTP/1.0 200 OK\r\n\r\nhello world", eof: true,
            expect: .head(200, "OK", [], .http1_0), .body("hello world"), .end(keepAlive: false)
        ),
        c(
            "http10-keep-alive-close-delimited", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nbody", eof: true,
            expect: .head(200, "OK", ["Connection: keep-alive"], .http1_0), .body("body"), .end(keepAlive: false)
        ),
        // RFC 9112 section 6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing;
        // the client closes the connection after it, whatever Connection says.
        c(
            "http10-chunked-never-kept-alive",
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            expect: .head(200, "OK", ["Connection: keep-alive", teChunked], .http1_0), .body("hello"), .end(keepAlive: false)
        ),
        c(
            "http11-connection-close", ok + "Connection: close\r\nContent-Length: 5\r\n\r\nhello",
            expect: .head(200, "OK", ["Connection: close", cl5]), .body("hello"), .end(keepAlive: false)
        ),
        c(
            "connection-token-list-with-close", ok + "Connection: upgrade, Close\r\nContent-Length: 0\r\n\r\n",
            expect: .head(200, "OK", ["Connection: upgrade, Close", cl0]), .end(keepAlive: false)
        ),
        c(
            "close-delimited", ok + "Server: x\r\n\r\nhello world", eof: true,
            expect: .head(200, "OK", ["Server: x"]), .body("hello world"), .end(keepAlive: false)
        ),
        c("close-delimited-empty", ok + "\r\n", eof: true, expect: .head(200, "OK"), .end(keepAlive: false)),
    ]

    // MARK: Bodiless responses, 1xx, CONNECT, several responses on one connection

    static let framingCases: [Case] = [
        c(
            "head-with-cl-then-get", ok + "Content-Length: 5\r\n\r\n" + ok + "Content-Length: 5\r\n\r\nhello", methods: [.head, .get],
            expect: .head(200, "OK", [cl5]), .end(keepAlive: true), .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "head-with-chunked-then-get", chunkedOK + ok + "Content-Length: 2\r\n\r\nhi", methods: [.head, .get],
            expect: .head(200, "OK", [teChunked]), .end(keepAlive: true), .head(200, "OK", ["Content-Length: 2"]), .body("hi"),
            .end(keepAlive: true)
        ),
        c(
            "head-with-cl-and-stray-body", ok + "Content-Length: 5\r\n\r\nhello" + ok + "Content-Length: 0\r\n\r\n", methods: [.head, .get],
            expect: .head(200, "OK", [cl5]), .end(keepAlive: true), .error(.invalidStatusLine)
        ),
        c(
            "204-with-cl-and-stray-body", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello" + ok + "Content-Length: 0\r\n\r\n",
            methods: [.get, .get],
            expect: .head(204, "No Content", [cl5]), .end(keepAlive: true), .error(.invalidStatusLine)
        ),
        c(
            "304-with-cl-and-stray-body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello" + ok + "Content-Length: 0\r\n\r\n",
            methods: [.get, .get],
            expect: .head(304, "Not Modified", [cl5]), .end(keepAlive: true), .error(.invalidStatusLine)
        ),
        c(
            "204-with-cl-then-200", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n" + ok + "Content-Length: 2\r\n\r\nhi",
            methods: [.get, .get],
            expect: .head(204, "No Content", [cl5]), .end(keepAlive: true), .head(200, "OK", ["Content-Length: 2"]), .body("hi"),
            .end(keepAlive: true)
        ),
        c(
            "304-with-chunked-then-200", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n" + ok + "Content-Length: 2\r\n\r\nhi",
            methods: [.get, .get],
            expect: .head(304, "Not Modified", [teChunked]), .end(keepAlive: true), .head(200, "OK", ["Content-Length: 2"]), .body("hi"),
            .end(keepAlive: true)
        ),
        c(
            "head-with-invalid-cl-ignored", ok + "Content-Length: abc\r\n\r\n", methods: [.head],
            expect: .head(200, "OK", ["Content-Length: abc"]), .end(keepAlive: true)
        ),
        c(
            "head-without-framing-keeps-alive", ok + "\r\n", methods: [.head],
            expect: .head(200, "OK"), .end(keepAlive: true)
        ),
        c(
            "pipelined-two-responses", ok + "Content-Length: 5\r\n\r\nhello" + chunkedOK + "3\r\nabc\r\n0\r\n\r\n", methods: [.get, .get],
            expect: .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true), .head(200, "OK", [teChunked]), .body("abc"),
            .end(keepAlive: true)
        ),
        c(
            // A first body over 4 KiB makes the parser compact its buffer while the second head arrives.
            "pipelined-after-6000-byte-body",
            ok + "Content-Length: 6000\r\n\r\n" + String(repeating: "b", count: 6000) + ok + "Content-Length: 2\r\n\r\nhi",
            methods: [.get, .get],
            expect: .head(200, "OK", ["Content-Length: 6000"]), .body(String(repeating: "b", count: 6000)), .end(keepAlive: true),
            .head(200, "OK", ["Content-Length: 2"]), .body("hi"), .end(keepAlive: true)
        ),
        c(
            "second-response-closed-before-response", ok + "Content-Length: 5\r\n\r\nhello", methods: [.get, .get], eof: true,
            expect: .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true), .error(.closedBeforeResponse)
        ),
        c(
            "second-response-truncated-head", ok + "Content-Length: 5\r\n\r\nhelloHTTP/1.1 200", methods: [.get, .get], eof: true,
            expect: .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true), .error(.truncatedHead)
        ),
        c(
            "connect-200-tunnel", "HTTP/1.1 200 Connection Established\r\n\r\n\u{16}\u{3}\u{1}tunnel", methods: [.connect],
            expect: .head(200, "Connection Established"), .end(keepAlive: false), .buffered(9)
        ),
        c(
            "connect-200-ignores-content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", methods: [.connect],
            expect: .head(200, "OK", [cl5]), .end(keepAlive: false), .buffered(5)
        ),
        c(
            "connect-407-has-body", "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny", methods: [.connect],
            expect: .head(407, "Proxy Authentication Required", ["Content-Length: 4"]), .body("deny"), .end(keepAlive: true)
        ),
        c(
            "1xx-then-200", "HTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 5\r\n\r\nhello",
            expect: .info(100), .head(200, "OK", [cl5]), .body("hello"), .end(keepAlive: true)
        ),
        c(
            "two-1xx-then-200",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + ok
                + "Content-Length: 5\r\n\r\nhello",
            expect: .info(100), .info(103, ["Link: </style.css>; rel=preload"]), .head(200, "OK", [cl5]), .body("hello"),
            .end(keepAlive: true)
        ),
        c(
            "1xx-content-length-ignored", "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n" + ok + "Content-Length: 2\r\n\r\nhi",
            expect: .info(100, [cl5]), .head(200, "OK", ["Content-Length: 2"]), .body("hi"), .end(keepAlive: true)
        ),
        c(
            "1xx-connection-close-does-not-leak", "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\n" + ok + "Content-Length: 0\r\n\r\n",
            expect: .info(100, ["Connection: close"]), .head(200, "OK", [cl0]), .end(keepAlive: true)
        ),
        c(
            "1xx-then-head-response", "HTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 5\r\n\r\n", methods: [.head],
            expect: .info(100), .head(200, "OK", [cl5]), .end(keepAlive: true)
        ),
        c("101-unsolicited", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
          expect: .error(.unsolicitedUpgrade)),
    ]

    // MARK: EOF

    static let eofCases: [Case] = [
        c("closed-before-response", "", eof: true, expect: .error(.closedBeforeResponse)),
        c("truncated-status-line", "HTTP/1.1 20", eof: true, expect: .error(.truncatedHead)),
        c("truncated-status-line-after-cr", "HTTP/1.1 200 OK\r", eof: true, expect: .error(.truncatedHead)),
        c("truncated-head", ok + "Content-Length: 5\r\nServ", eof: true, expect: .error(.truncatedHead)),
        c("truncated-head-before-empty-line", ok + "Content-Length: 5\r\n\r", eof: true, expect: .error(.truncatedHead)),
        // The server has begun answering (100 Continue), so this is a truncation, not a close before the response.
        c("truncated-after-1xx", "HTTP/1.1 100 Continue\r\n\r\n", eof: true, expect: .info(100), .error(.truncatedHead)),
        c(
            "truncated-cl-body", ok + "Content-Length: 10\r\n\r\nhello", eof: true,
            expect: .head(200, "OK", ["Content-Length: 10"]), .body("hello"), .error(.truncatedBody)
        ),
        c(
            "truncated-chunk-data", chunkedOK + "5\r\nhel", eof: true,
            expect: .head(200, "OK", [teChunked]), .body("hel"), .error(.truncatedBody)
        ),
        c(
            "truncated-after-chunk-data-cr", chunkedOK + "5\r\nhello\r", eof: true,
            expect: .head(200, "OK", [teChunked]), .body("hello"), .error(.truncatedBody)
        ),
        c(
            "truncated-before-chunk-size", chunkedOK + "5\r\nhello\r\n", eof: true,
            expect: .head(200, "OK", [teChunked]), .body("hello"), .error(.truncatedBody)
        ),
        c(
            "truncated-in-trailers", chunkedOK + "0\r\nX-T: 1\r\n", eof: true,
            expect: .head(200, "OK", [teChunked]), .error(.truncatedBody)
        ),
    ]

    // MARK: Limits, small (every offset)

    static let smallLimitCases: [Case] = {
        let reason64 = String(repeating: "R", count: 64 - 13)  // "HTTP/1.1 200 " is 13 bytes
        let clLine = "Content-Length: 0\r\n"
        let tail = clLine + "\r\n"
        let line100 = filler("X-Long", length: 100)
        let line101 = filler("X-Long", length: 101)
        // A folded field: 50 + 50 raw bytes is the limit, 50 + 51 one past.
        let foldFirst = filler("X-Fold", length: 50, fill: "a")
        let fold50 = " " + String(repeating: "b", count: 49)
        let fold51 = " " + String(repeating: "b", count: 50)
        // Header section: 19 (Content-Length: 0 CRLF) + 3 x 102 + 75 = 400 with CRLF;
        // 18 + 3 x 101 + 79 = 400 with bare LF.
        let x100 = ["X-A", "X-B", "X-C"].map { filler($0, length: 100) }
        let crlfLast = filler("X-D", length: 73), crlfLastPast = filler("X-D", length: 74)
        let lfLast = filler("X-D", length: 78), lfLastPast = filler("X-D", length: 79)
        let crlfSection = x100.map { $0.line + "\r\n" }.joined()
        let lfSection = x100.map { $0.line + "\n" }.joined()
        // Trailer section: 3 x 102 + 94 = 400.
        let trailerSection = crlfSection
        let trailerLast = filler("X-D", length: 92), trailerLastPast = filler("X-D", length: 93)
        // Field count: Content-Length plus X-1...X-9 is 10; X-10 makes 11.
        let nine = (1...9).map { ("X-\($0): v\r\n", Field("X-\($0)", "v")) }
        let nineLines = nine.map(\.0).joined()
        let nineFields = nine.map(\.1)
        let trailers10 = (1...10).map { ("T-\($0): t\r\n", Field("T-\($0)", "t")) }
        let trailers11 = (1...11).map { ("T-\($0): t\r\n", Field("T-\($0)", "t")) }
        let head10 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + nineLines + "\r\n"
        let info10 = "HTTP/1.1 100 Continue\r\n" + nineLines + "X-10: v\r\n\r\n"
        return [
            c(
                "start-line-at-limit", "HTTP/1.1 200 \(reason64)\r\n" + tail, limits: small,
                expect: .head(200, reason64, [cl0]), .end(keepAlive: true)
            ),
            c("start-line-past-limit", "HTTP/1.1 200 \(reason64)R\r\n" + tail, limits: small, expect: .error(.startLineTooLong)),
            c(
                "start-line-at-limit-bare-lf", "HTTP/1.1 200 \(reason64)\n" + tail, limits: small,
                expect: .head(200, reason64, [cl0]), .end(keepAlive: true)
            ),
            c("start-line-past-limit-bare-lf", "HTTP/1.1 200 \(reason64)R\n" + tail, limits: small, expect: .error(.startLineTooLong)),
            c(
                "field-line-at-limit", ok + line100.line + "\r\n" + tail, limits: small,
                expect: .head(200, "OK", [line100.field, cl0]), .end(keepAlive: true)
            ),
            c("field-line-past-limit", ok + line101.line + "\r\n" + tail, limits: small, expect: .error(.fieldLineTooLong)),
            c(
                "folded-field-at-limit", ok + foldFirst.line + "\r\n" + fold50 + "\r\n" + tail, limits: small,
                expect: .head(200, "OK", [Field("X-Fold", foldFirst.field.value + " " + String(fold50.dropFirst())), cl0]), .end(keepAlive: true)
            ),
            c("folded-field-past-limit", ok + foldFirst.line + "\r\n" + fold51 + "\r\n" + tail, limits: small, expect: .error(.fieldLineTooLong)),
            c(
                "header-section-at-limit", ok + clLine + crlfSection + crlfLast.line + "\r\n\r\n", limits: small,
                expect: .head(200, "OK", [cl0] + x100.map(\.field) + [crlfLast.field]), .end(keepAlive: true)
            ),
            c(
                "header-section-past-limit", ok + clLine + crlfSection + crlfLastPast.line + "\r\n\r\n", limits: small,
                expect: .error(.headerSectionTooLarge)
            ),
            c(
                "header-section-at-limit-bare-lf", "HTTP/1.1 200 OK\nContent-Length: 0\n" + lfSection + lfLast.line + "\n\n", limits: small,
                expect: .head(200, "OK", [cl0] + x100.map(\.field) + [lfLast.field]), .end(keepAlive: true)
            ),
            c(
                "header-section-past-limit-bare-lf", "HTTP/1.1 200 OK\nContent-Length: 0\n" + lfSection + lfLastPast.line + "\n\n",
                limits: small, expect: .error(.headerSectionTooLarge)
            ),
            c(
                "field-count-at-limit", ok + nineLines + tail, limits: small,
                expect: .head(200, "OK", nineFields + [cl0]), .end(keepAlive: true)
            ),
            c("field-count-past-limit", ok + nineLines + "X-10: v\r\n" + tail, limits: small, expect: .error(.tooManyFields)),
            c(
                "field-count-ignores-obs-fold", ok + nineLines + " w\r\n\tz\r\n" + tail, limits: small,
                expect: .head(200, "OK", Array(nineFields.dropLast()) + [Field("X-9", "v w z"), cl0]), .end(keepAlive: true)
            ),
            c(
                "chunk-line-at-limit", chunkedOK + "5;ext=abcdefghij\r\nhello\r\n0\r\n\r\n", limits: small,
                expect: .head(200, "OK", [teChunked]), .body("hello"), .end(keepAlive: true)
            ),
            c(
                "chunk-line-past-limit", chunkedOK + "5;ext=abcdefghijk\r\nhello\r\n0\r\n\r\n", limits: small,
                expect: .head(200, "OK", [teChunked]), .error(.chunkLineTooLong)
            ),
            c(
                "trailer-field-count-counted-afresh", head10 + "5\r\nhello\r\n0\r\n" + trailers10.map(\.0).joined() + "\r\n", limits: small,
                expect: .head(200, "OK", [teChunked] + nineFields), .body("hello"), .trailers(trailers10.map(\.1)), .end(keepAlive: true)
            ),
            c(
                "trailer-field-count-past-limit", head10 + "5\r\nhello\r\n0\r\n" + trailers11.map(\.0).joined() + "\r\n", limits: small,
                expect: .head(200, "OK", [teChunked] + nineFields), .body("hello"), .error(.tooManyFields)
            ),
            c(
                "trailer-field-line-past-limit", chunkedOK + "0\r\n" + line101.line + "\r\n\r\n", limits: small,
                expect: .head(200, "OK", [teChunked]), .error(.fieldLineTooLong)
            ),
            c(
                "trailer-section-at-limit", chunkedOK + "0\r\n" + trailerSection + trailerLast.line + "\r\n\r\n", limits: small,
                expect: .head(200, "OK", [teChunked]), .trailers(x100.map(\.field) + [trailerLast.field]), .end(keepAlive: true)
            ),
            c(
                "trailer-section-past-limit", chunkedOK + "0\r\n" + trailerSection + trailerLastPast.line + "\r\n\r\n", limits: small,
                expect: .head(200, "OK", [teChunked]), .error(.headerSectionTooLarge)
            ),
            c(
                "1xx-head-limits-counted-afresh", info10 + ok + nineLines + tail, limits: small,
                expect: .info(100, nineFields + ["X-10: v"]), .head(200, "OK", nineFields + [cl0]), .end(keepAlive: true)
            ),
        ]
    }()

    // MARK: Limits, default (sampled offsets for the large inputs)

    static let defaultLimitCases: [Case] = {
        let d = HTTP1Limits()
        let clLine = "Content-Length: 0\r\n"
        let tail = clLine + "\r\n"
        let reason = String(repeating: "r", count: d.maxStartLineLength - 13)
        let field = filler("X-Big", length: d.maxFieldLineLength)
        let fieldPast = filler("X-Big", length: d.maxFieldLineLength + 1)
        // 19 + 3 x (65,536 + 2) + (65,509 + 2) = 262,144.
        let big3 = ["X-A", "X-B", "X-C"].map { filler($0, length: d.maxFieldLineLength) }
        let sectionLast = filler("X-D", length: d.maxHeaderSectionSize - 19 - 3 * (d.maxFieldLineLength + 2) - 2)
        let sectionLastPast = filler("X-D", length: sectionLast.line.utf8.count + 1)
        let big3Lines = big3.map { $0.line + "\r\n" }.joined()
        let many = (1..<d.maxFieldCount).map { ("X-\($0): v\r\n", Field("X-\($0)", "v")) }
        let manyLines = many.map(\.0).joined()
        let ext = String(repeating: "e", count: d.maxChunkLineLength - 2)
        return [
            c(
                "default-start-line-at-limit", "HTTP/1.1 200 \(reason)\r\n" + tail,
                expect: .head(200, reason, [cl0]), .end(keepAlive: true)
            ),
            c("default-start-line-past-limit", "HTTP/1.1 200 \(reason)r\r\n" + tail, expect: .error(.startLineTooLong)),
            c(
                "default-field-line-at-limit", ok + field.line + "\r\n" + tail,
                expect: .head(200, "OK", [field.field, cl0]), .end(keepAlive: true)
            ),
            c("default-field-line-past-limit", ok + fieldPast.line + "\r\n" + tail, expect: .error(.fieldLineTooLong)),
            c(
                "default-header-section-at-limit", ok + clLine + big3Lines + sectionLast.line + "\r\n\r\n",
                expect: .head(200, "OK", [cl0] + big3.map(\.field) + [sectionLast.field]), .end(keepAlive: true)
            ),
            c(
                "default-header-section-past-limit", ok + clLine + big3Lines + sectionLastPast.line + "\r\n\r\n",
                expect: .error(.headerSectionTooLarge)
            ),
            c(
                "default-field-count-at-limit", ok + manyLines + tail,
                expect: .head(200, "OK", many.map(\.1) + [cl0]), .end(keepAlive: true)
            ),
            c("default-field-count-past-limit", ok + manyLines + "X-1000: v\r\n" + tail, expect: .error(.tooManyFields)),
            c(
                "default-chunk-line-at-limit", chunkedOK + "5;\(ext)\r\nhello\r\n0\r\n\r\n",
                expect: .head(200, "OK", [teChunked]), .body("hello"), .end(keepAlive: true)
            ),
            c(
                "default-chunk-line-past-limit", chunkedOK + "5;\(ext)e\r\nhello\r\n0\r\n\r\n",
                expect: .head(200, "OK", [teChunked]), .error(.chunkLineTooLong)
            ),
        ]
    }()
}
