import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes
import HTTPCoreTestSupport
import Testing

@Suite struct HTTP1ConnectionTests {
    static let getHead = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"

    @Test(arguments: ReadSplit.allCases)
    func getReadsHeadAndBody(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: mock\r\n\r\nhello"),
        ], split: split)
        let response = try await h.connection.send(h.get())
        #expect(response.status == .ok)
        #expect(response.version == .http1_1)
        #expect(response.head.headerFields[.server] == "mock")
        #expect(try await response.body.string() == "hello")
        #expect(h.connection.isIdle)
        #expect(h.connection.isAvailable)
        h.expectScriptDone()
    }

    @Test(arguments: ReadSplit.allCases)
    func postSendsContentLengthAndBody(split: ReadSplit) async throws {
        let h = Harness([
            .write("POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"),
            .read("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
        ], split: split)
        let request = try Request(
            method: "POST", url: "http://example.com/submit",
            headers: [("Content-Type", "text/plain")], body: .string("hello world")
        )
        let response = try await h.connection.send(request)
        #expect(response.status == .created)
        // An empty body is finished at once: the connection is back before anyone reads it.
        #expect(h.connection.isIdle)
        #expect(try await response.body.collect(upTo: 10) == [])
        h.expectScriptDone()
    }

    @Test(arguments: ReadSplit.allCases)
    func streamingUploadIsChunkedWithTrailers(split: ReadSplit) async throws {
        let h = Harness([
            .write("PUT /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"),
            .write("5\r\nfirst\r\n"),
            .write("6\r\nsecond\r\n"),
            .write("0\r\nChecksum: abc\r\n\r\n"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ], split: split)
        let chunks = AsyncStream<[UInt8]> { continuation in
            continuation.yield(Array("first".utf8))
            continuation.yield([])
            continuation.yield(Array("second".utf8))
            continuation.finish()
        }
        var body = RequestBody.stream(chunks)
        body.trailers = HTTPFields([HTTPField(name: HTTPField.Name("Checksum")!, value: "abc")])
        let response = try await h.connection.send(try Request(method: "PUT", url: "http://example.com/up", body: body))
        #expect(response.status == .noContent)
        h.expectScriptDone()
    }

    @Test func streamingUploadWithDeclaredLength() async throws {
        let h = Harness([
            .write("PUT /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 6\r\n\r\n"),
            .write("abc"), .write("def"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let chunks = AsyncStream<[UInt8]> { c in
            c.yield(Array("abc".utf8)); c.yield(Array("def".utf8)); c.finish()
        }
        let response = try await h.connection.send(try Request(method: "PUT", url: "http://example.com/up", body: .stream(chunks, length: 6)))
        #expect(try await response.body.string() == "ok")
        h.expectScriptDone()
    }

    @Test func streamingUploadLongerThanDeclaredFailsAndCloses() async throws {
        let h = Harness([.write("PUT /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\n")])
        let chunks = AsyncStream<[UInt8]> { c in c.yield(Array("abc".utf8)); c.finish() }
        let error = await #expect(throws: HTTPCoreError.self) {
            try await h.connection.send(try Request(method: "PUT", url: "http://example.com/up", body: .stream(chunks, length: 2)))
        }
        #expect(error?.code == .requestBodyLengthMismatch)
        #expect(h.connection.isClosed)
        #expect(h.stream.written == Array("PUT /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\n".utf8))
    }

    @Test(arguments: ReadSplit.allCases)
    func streamingDownloadDeliversChunksAndTrailers(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Digest\r\n\r\n"),
            .read("4\r\nwiki\r\n5;ext=1\r\npedia\r\n"),
            .read("E\r\n in\r\n\r\nchunks.\r\n0\r\nDigest: sha-256=x\r\n\r\n"),
        ], split: split)
        let response = try await h.connection.send(h.get())
        var received: [UInt8] = []
        var pieces = 0
        for try await chunk in response.body {
            received += chunk
            pieces += 1
        }
        #expect(String(decoding: received, as: UTF8.self) == "wikipedia in\r\n\r\nchunks.")
        #expect(pieces >= 3)
        #expect(response.body.trailers?[HTTPField.Name("Digest")!] == "sha-256=x")
        #expect(h.connection.isIdle)
        h.expectScriptDone()
    }

    @Test(arguments: ReadSplit.allCases)
    func keepAliveReusesTheConnection(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"),
            .write("GET /two HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"),
        ], split: split)
        #expect(try await h.connection.send(h.get()).body.string() == "one")
        #expect(h.connection.isAvailable)
        #expect(try await h.connection.send(h.get("/two")).body.string() == "two")
        #expect(h.connection.requestCount == 2)
        #expect(h.connection.description == "<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 2]>")
        h.expectScriptDone()
    }

    @Test func secondRequestWhileBusyIsRefused() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")])
        let response = try await h.connection.send(h.get())
        #expect(!h.connection.isAvailable)
        #expect(h.connection.description.contains("ACTIVE"))
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .connectionUnavailable)
        #expect(error?.isSafeToRetry == true)
        _ = response
    }

    @Test(arguments: ReadSplit.allCases)
    func connectionCloseMeansNoReuse(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"),
        ], split: split)
        #expect(try await h.connection.send(h.get()).body.string() == "ok")
        #expect(h.connection.isClosed)
        #expect(h.stream.closeMode == .graceful)
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .connectionClosed)
    }

    @Test(arguments: ReadSplit.allCases)
    func closeDelimitedBodyEndsAtEOF(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.0 200 OK\r\n\r\nall of this"), .read(" until close"), .eof,
        ], split: split)
        let response = try await h.connection.send(h.get())
        #expect(response.version == .http1_0)
        #expect(try await response.body.string() == "all of this until close")
        #expect(h.connection.isClosed)
        h.expectScriptDone()
    }

    @Test func serverClosedWhileIdleIsDetectedBeforeReuse() async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
            .eof,
        ])
        #expect(try await h.connection.send(h.get()).body.string() == "x")
        #expect(h.connection.isIdle)
        #expect(h.connection.hasExpired(now: h.clock.now))
        #expect(!h.connection.isAvailable)
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .connectionClosed)
        #expect(error?.isSafeToRetry == true)
        #expect(h.connection.isClosed)
    }

    @Test func keepAliveExpiryOnTheManualClock() async throws {
        let h = Harness(
            [.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")],
            configuration: .init(keepAliveExpiry: .seconds(5))
        )
        _ = try await h.connection.send(h.get())
        #expect(!h.connection.hasExpired(now: h.clock.now))
        h.clock.advance(by: .seconds(4))
        #expect(!h.connection.hasExpired(now: h.clock.now))
        h.clock.advance(by: .seconds(1))
        #expect(h.connection.hasExpired(now: h.clock.now))
    }

    @Test(arguments: ReadSplit.allCases)
    func eofMidBodyIsATruncatedResponse(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"), .eof,
        ], split: split)
        let response = try await h.connection.send(h.get())
        let error = await #expect(throws: HTTPCoreError.self) { try await response.body.collect(upTo: 100) }
        #expect(error?.code == .truncatedResponse)
        #expect(error?.category == .protocol(.remote))
        #expect(h.connection.isClosed)
    }

    @Test func eofBeforeAnyResponseByte() async throws {
        let h = Harness([.write(Self.getHead), .eof])
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .closedBeforeResponse)
        #expect(error?.isSafeToRetry == false)
        #expect(h.connection.isClosed)
        #expect(h.stream.closeMode == .abortive)
    }

    @Test func resetWhileReadingTheHead() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\n"), .reset])
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .connectionReset)
        #expect(error?.category == .network(.read))
        #expect(h.connection.isClosed)
    }

    @Test func resetWhileWritingTheBody() async throws {
        let h = Harness([.write("PUT / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"), .reset])
        let chunks = AsyncStream<[UInt8]> { c in c.yield(Array("abc".utf8)); c.finish() }
        let error = await #expect(throws: HTTPCoreError.self) {
            try await h.connection.send(try Request(method: "PUT", url: "http://example.com/", body: .stream(chunks)))
        }
        #expect(error?.code == .connectionReset)
        #expect(error?.isSafeToRetry == false)
        #expect(h.connection.isClosed)
    }

    @Test func aFreshConnectionTheServerAlreadyResetIsStale() async throws {
        let h = Harness([.reset])
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .connectionClosed)
        #expect(error?.isSafeToRetry == true)
        #expect(h.stream.written.isEmpty)
    }

    @Test func resetMidBody() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), .reset])
        let response = try await h.connection.send(h.get())
        let error = await #expect(throws: HTTPCoreError.self) { try await response.body.collect(upTo: 100) }
        #expect(error?.code == .connectionReset)
        #expect(h.connection.isClosed)
    }

    @Test func malformedResponseCarriesTheParseError() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")])
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .malformedResponse)
        #expect(error?.underlying as? HTTP1ParseError == .invalidContentLength)
        #expect(h.connection.isClosed)
    }

    @Test func oversizedHeadIsALimitError() async throws {
        let configuration = HTTP1Connection.Configuration(limits: HTTP1Limits(maxFieldLineLength: 32))
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 100)),
        ], configuration: configuration)
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .headTooLarge)
        #expect(error?.category == .limit)
    }

    @Test(arguments: ReadSplit.allCases)
    func informationalResponsesAreSkipped(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ], split: split)
        let response = try await h.connection.send(h.get())
        #expect(response.status == .ok)
        #expect(try await response.body.string() == "ok")
        h.expectScriptDone()
    }

    @Test func unsolicitedSwitchingProtocolsFails() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")])
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .unsolicitedUpgrade)
    }

    @Test(arguments: ["HEAD", "GET"])
    func noBodyForHeadAnd304(method: String) async throws {
        let status = method == "HEAD" ? "200 OK" : "304 Not Modified"
        let h = Harness([
            .write("\(method) / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 \(status)\r\nContent-Length: 1000\r\n\r\n"),
            .write(Self.getHead),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let first = try await h.connection.send(try Request(method: method, url: "http://example.com/"))
        #expect(first.body.isComplete || h.connection.isIdle)
        #expect(try await h.connection.send(h.get()).body.string() == "ok")
        h.expectScriptDone()
    }

    @Test func bytesAfterTheResponseMakeItUnreusable() async throws {
        let h = Harness([
            .write(Self.getHead),
            .read("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
        ])
        _ = try await h.connection.send(h.get())
        #expect(h.connection.isClosed)
    }

    @Test func droppingAnUnreadBodyClosesTheConnection() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")])
        do {
            let response = try await h.connection.send(h.get())
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        #expect(h.connection.isClosed)
        await waitUntil("the stream is closed") { h.stream.isClosed }
        #expect(h.stream.closeMode == .abortive)
    }

    @Test func collectOverTheLimitFailsAndCloses() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")])
        let response = try await h.connection.send(h.get())
        let error = await #expect(throws: HTTPCoreError.self) { try await response.body.collect(upTo: 4) }
        #expect(error?.code == .bodyTooLarge)
        #expect(h.connection.isClosed)
    }

    @Test func bodyCanBeIteratedOnce() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")])
        let response = try await h.connection.send(h.get())
        #expect(try await response.body.string() == "ok")
        let error = await #expect(throws: HTTPCoreError.self) { try await response.body.collect(upTo: 10) }
        #expect(error?.code == .bodyAlreadyConsumed)
    }

    @Test func requestForAnotherOriginIsRefused() async throws {
        let h = Harness([])
        let error = await #expect(throws: HTTPCoreError.self) {
            try await h.connection.send(try Request(url: "http://other.example/"))
        }
        #expect(error?.code == .invalidRequest)
        #expect(h.stream.written.isEmpty)
    }

    @Test func readTimeoutOnTheManualClock() async throws {
        let h = Harness([.write(Self.getHead)])
        var options = RequestOptions()
        options.timeouts.read = .seconds(2)
        let request = try h.get(options: options)
        let send = Task { try await h.connection.send(request) }
        try await h.clock.waitForTimers(1)
        h.clock.advance(by: .seconds(2))
        let error = await #expect(throws: HTTPCoreError.self) { try await send.value }
        #expect(error?.code == .readTimeout)
        #expect(error?.category == .timeout(.read))
        #expect(h.connection.isClosed)
    }

    @Test func totalDeadlineCoversTheBody() async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")])
        var options = RequestOptions()
        options.timeouts.total = .seconds(3)
        let response = try await h.connection.send(h.get(options: options))
        let read = Task { try await response.body.collect(upTo: 100) }
        try await h.clock.waitForTimers(1)
        h.clock.advance(by: .seconds(3))
        let error = await #expect(throws: HTTPCoreError.self) { try await read.value }
        #expect(error?.code == .totalTimeout)
        #expect(error?.category == .timeout(.total))
    }

    @Test func writeTimeoutOnASlowServer() async throws {
        let h = Harness([.delay(.seconds(60)), .write(Self.getHead)])
        var options = RequestOptions()
        options.timeouts.write = .seconds(1)
        let request = try h.get(options: options)
        let send = Task { try await h.connection.send(request) }
        try await h.clock.waitForTimers(2)
        h.clock.advance(by: .seconds(1))
        let error = await #expect(throws: HTTPCoreError.self) { try await send.value }
        #expect(error?.code == .writeTimeout)
    }
}
