import HTTPCore
import HTTPCoreHTTP1
import HTTPTypes
import Testing

/// What the corpus's transcripts cannot show: when events become available as bytes
/// arrive, how much a peer that never ends a line can make the parser hold, the default
/// limits at full size, and the state a server reads between events.
@Suite("HTTP/1 request parser")
struct HTTP1RequestParserTests {
    static let get = Array("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".utf8)

    /// Drains `next()`, turning an error into the last element.
    static func drain(_ parser: inout HTTP1RequestParser) -> [Result<HTTP1RequestEvent, HTTP1ParseError>] {
        var events: [Result<HTTP1RequestEvent, HTTP1ParseError>] = []
        do throws(HTTP1ParseError) {
            while let event = try parser.next() { events.append(.success(event)) }
        } catch {
            events.append(.failure(error))
        }
        return events
    }

    @Test func noEventUntilTheHeadIsComplete() throws {
        var parser = HTTP1RequestParser()
        for byte in Self.get.dropLast() {
            parser.feed([byte])
            #expect(try parser.next() == nil)
        }
        parser.feed([Self.get.last!])
        guard case .head(let request) = try parser.next() else { Issue.record("no head"); return }
        #expect(request.method == .get && request.path == "/" && request.authority == "example.com" && request.scheme == "http")
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
        #expect(!parser.isFinished)
    }

    @Test func schemeComesFromTheConnection() throws {
        var parser = HTTP1RequestParser(scheme: "https")
        parser.feed(Self.get)
        guard case .head(let request) = try parser.next() else { Issue.record("no head"); return }
        #expect(request.scheme == "https")
    }

    /// The server pulls one request at a time; the next stays buffered until it asks, and
    /// each head resets what the parser says about its request.
    @Test func pipelinedRequestsWaitTheirTurn() throws {
        let first = Array("POST /a HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi".utf8)
        let second = Array("GET /b HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n".utf8)
        var parser = HTTP1RequestParser()
        parser.feed(first + second)
        guard case .head(let a) = try parser.next() else { Issue.record("no head"); return }
        #expect(a.path == "/a" && parser.expectsContinue && parser.keepAlive)
        #expect(try parser.next() == .body(Array("hi".utf8)))
        #expect(try parser.next() == .end)
        #expect(parser.bufferedByteCount == second.count)
        guard case .head(let b) = try parser.next() else { Issue.record("no second head"); return }
        #expect(b.path == "/b" && !parser.expectsContinue && !parser.keepAlive)
        #expect(try parser.next() == .end)
        #expect(parser.isFinished)
    }

    @Test func connectLeavesTheTunnelBytesBuffered() throws {
        var parser = HTTP1RequestParser()
        parser.feed(Array("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\u{16}\u{3}\u{1}".utf8))
        guard case .head(let request) = try parser.next() else { Issue.record("no head"); return }
        #expect(request.method == .connect && request.authority == "example.com:443" && request.path == nil)
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
        #expect(parser.isFinished && !parser.keepAlive)
        #expect(parser.takeBufferedBytes() == [0x16, 0x03, 0x01])
    }

    @Test func errorsAreSticky() {
        var parser = HTTP1RequestParser()
        parser.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(Self.drain(&parser) == [.failure(.missingHost)])
        parser.feed(Self.get)
        #expect(Self.drain(&parser) == [.failure(.missingHost)])
    }

    /// A peer that never sends a line end costs at most the limit plus a CR: the error
    /// comes with the byte after that, not when the line ends.
    @Test(arguments: [
        ("GET /", 64, HTTP1ParseError.startLineTooLong),
        ("GET / HTTP/1.1\r\nHost: example.com\r\nX-A: ", 100, .fieldLineTooLong),
        ("POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;", 16, .chunkLineTooLong),
    ])
    func unendedLineCostsAtMostTheLimit(prefix: String, limit: Int, error: HTTP1ParseError) {
        let limits = HTTP1Limits(maxStartLineLength: 64, maxFieldLineLength: 100, maxChunkLineLength: 16)
        var parser = HTTP1RequestParser(limits: limits)
        parser.feed(Array(prefix.utf8))
        let lineStart = prefix.utf8.count - (prefix.utf8.split(separator: UInt8(ascii: "\n")).last?.count ?? 0)
        var fed = prefix.utf8.count
        var outcome = Self.drain(&parser)
        while outcome.allSatisfy({ if case .failure = $0 { false } else { true } }), fed < 10 * limit {
            parser.feed([UInt8(ascii: "x")])
            fed += 1
            outcome = Self.drain(&parser)
        }
        #expect(outcome.last == .failure(error))
        #expect(fed - lineStart == limit + 2, "the line had \(fed - lineStart) bytes when refused")
    }

    /// A line over its limit that ends in a bare LF is "too long" however its bytes
    /// arrive: whole, the LF used to be judged first (400 `bareLF` instead of 414/431),
    /// while byte by byte the length check fires before the LF comes (the http1-request
    /// fuzz target found it on a chunk-size line).
    @Test(arguments: [
        ("GET /" + String(repeating: "a", count: 80) + " HTTP/1.1\n", HTTP1ParseError.startLineTooLong),
        ("GET / HTTP/1.1\r\nHost: example.com\r\nX-A: " + String(repeating: "v", count: 120) + "\n", .fieldLineTooLong),
        ("POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 20) + "\n", .chunkLineTooLong),
    ])
    func overlongLineEndingInBareLFIsTooLongWholeOrSplit(text: String, error: HTTP1ParseError) {
        let limits = HTTP1Limits(maxStartLineLength: 64, maxFieldLineLength: 100, maxChunkLineLength: 16)
        for size in [text.utf8.count, 1] {
            var parser = HTTP1RequestParser(limits: limits)
            var outcome: [Result<HTTP1RequestEvent, HTTP1ParseError>] = []
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                parser.feed(Array(bytes[start..<min(start + size, bytes.count)]))
                outcome += Self.drain(&parser)
            }
            #expect(outcome.last == .failure(error), "in pieces of \(size)")
        }
    }

    /// The default limits at full size, each exactly at the bound and one past it, fed
    /// whole and in 4 KiB pieces (the corpus splits small-limit cases at every byte).
    @Test(arguments: [false, true])
    func defaultLimits(inPieces: Bool) {
        let host = "Host: example.com\r\n"
        func parse(_ text: String) -> Result<HTTP1RequestEvent, HTTP1ParseError>? {
            var parser = HTTP1RequestParser()
            let bytes = Array(text.utf8)
            var outcome: [Result<HTTP1RequestEvent, HTTP1ParseError>] = []
            let size = inPieces ? 4096 : bytes.count
            for start in stride(from: 0, to: bytes.count, by: size) {
                parser.feed(Array(bytes[start..<min(start + size, bytes.count)]))
                outcome += Self.drain(&parser)
            }
            return outcome.first
        }
        func isHead(_ result: Result<HTTP1RequestEvent, HTTP1ParseError>?) -> Bool {
            if case .success(.head) = result { true } else { false }
        }
        // Request line: "GET " + path + " HTTP/1.1" is 8 KiB.
        let path = "/" + String(repeating: "a", count: 8 * 1024 - 14)
        #expect(isHead(parse("GET \(path) HTTP/1.1\r\n\(host)\r\n")))
        #expect(parse("GET \(path)a HTTP/1.1\r\n\(host)\r\n") == .failure(.startLineTooLong))
        #expect(HTTP1ParseError.startLineTooLong.requestStatus == .uriTooLong)
        // One field line of 64 KiB.
        let value = String(repeating: "v", count: 64 * 1024 - 5)
        #expect(isHead(parse("GET / HTTP/1.1\r\n\(host)X-A: \(value)\r\n\r\n")))
        #expect(parse("GET / HTTP/1.1\r\n\(host)X-A: \(value)v\r\n\r\n") == .failure(.fieldLineTooLong))
        // 1,000 fields, Host among them.
        let fields = (0..<999).map { "X-\($0): v\r\n" }.joined()
        #expect(isHead(parse("GET / HTTP/1.1\r\n\(host)\(fields)\r\n")))
        #expect(parse("GET / HTTP/1.1\r\n\(host)\(fields)X-Last: v\r\n\r\n") == .failure(.tooManyFields))
        // A header section of 256 KiB: Host (19) + three 64 KiB lines (+ CRLF) + the rest.
        let big = "X-B: " + String(repeating: "b", count: 64 * 1024 - 5) + "\r\n"
        let rest = 256 * 1024 - 19 - 3 * (64 * 1024 + 2) - 2
        let last = "X-C: " + String(repeating: "c", count: rest - 5)
        #expect(isHead(parse("GET / HTTP/1.1\r\n\(host)\(big)\(big)\(big)\(last)\r\n\r\n")))
        #expect(parse("GET / HTTP/1.1\r\n\(host)\(big)\(big)\(big)\(last)c\r\n\r\n") == .failure(.headerSectionTooLarge))
        #expect(HTTP1ParseError.headerSectionTooLarge.requestStatus == .requestHeaderFieldsTooLarge)
    }

    /// Every error a request can meet has a status and closes the connection; the
    /// corpus checks them case by case, this pins the non-400 ones.
    @Test func statusesOtherThan400() {
        #expect(HTTP1ParseError.unsupportedVersion.requestStatus == .httpVersionNotSupported)
        #expect(HTTP1ParseError.unsupportedTransferCoding.requestStatus == .notImplemented)
        #expect(HTTP1ParseError.fieldLineTooLong.requestStatus.code == 431)
        #expect(HTTP1ParseError.tooManyFields.requestStatus.code == 431)
        #expect(HTTP1ParseError.contentLengthWithTransferEncoding.requestStatus == .badRequest)
        #expect(HTTP1ParseError.contentLengthWithTransferEncoding.closesConnection)
    }
}
