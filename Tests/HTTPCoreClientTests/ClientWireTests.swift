import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The client over the pool on the mock backend: the bytes it writes, and what happens to
/// connections when bodies are over the limit, left unread, or cut short.
@Suite struct ClientWireTests {
    static let head = "User-Agent: swift-httpcore/0.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"

    static func client(_ backend: MockNetworkBackend, _ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configure(&configuration)
        return try HTTPClient(configuration: configuration)
    }

    @Test func aGetWritesTheHeadHttpxWouldAndReusesTheConnection() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /a?q=1%202 HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
            .write("DELETE /b HTTP/1.1\r\nHost: example.com\r\nUser-Agent: swift-httpcore/0.1\r\nAccept: */*\r\nX-Id: 7\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        try await withHTTPClient({ var c = HTTPClient.Configuration(); c.backend = backend; return c }()) { client in
            let first = try await client.get("http://example.com/a", params: ["q": "1 2"])
            #expect(first.text() == "hi")
            #expect(first.request.method == .get)
            let second = try await client.delete("http://example.com/b", headers: ["X-Id": "7"])
            #expect(second.statusCode == 204)
            #expect(client.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 2]>"])
        }
        #expect(backend.failures.isEmpty)
        #expect(backend.connectRecords.count == 1)
        #expect(backend.streams.allSatisfy { $0.isClosed })
    }

    @Test func aMultipartUploadStreamsItsFileWithContentLength() async throws {
        let path = FileManagerless.temporaryFile(contents: "line one\nline two\n")
        defer { FileManagerless.remove(path) }
        let body = "--B\r\nContent-Disposition: form-data; name=\"who\"\r\n\r\nJ \"Q\" Doe\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"notes\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nline one\nline two\n\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"raw\"; filename=\"a%22b%0D%0A.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\u{1}\u{2}\r\n"
            + "--B--\r\n"
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("POST /upload HTTP/1.1\r\nHost: example.com\r\n\(Self.head)Content-Type: multipart/form-data; boundary=B\r\nContent-Length: \(body.utf8.count)\r\n\r\n"),
            .write(body),
            .read("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
        ])
        let client = try Self.client(backend)
        var form = MultipartForm(boundary: "B")
        form.add("who", "J \"Q\" Doe")
        form.addFile("notes", path: path, filename: "notes.txt")
        form.parts.append(.data(name: "raw", bytes: [1, 2], filename: "a\"b\r\n.bin", contentType: nil))
        let response = try await client.post("http://example.com/upload", body: .multipart(form))
        #expect(response.statusCode == 201)
        #expect(backend.failures.isEmpty)
        await client.shutdown()
    }

    @Test func aRandomBoundaryIsFreshAndInTheContentType() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        var form = MultipartForm()
        form.add("a", "1")
        _ = try await client.post("http://example.com/", body: .multipart(form))
        _ = try await client.post("http://example.com/", body: .multipart(form))
        let types = recorder.requests.compactMap { $0.head.headerFields[.contentType] }
        #expect(types.count == 2 && types[0] != types[1])
        for (request, type) in zip(recorder.requests, types) {
            let boundary = String(type.split(separator: "=").last!)
            #expect(boundary.count >= 32)
            #expect(String(decoding: request.body, as: UTF8.self).hasSuffix("--\(boundary)--\r\n"))
        }
    }

    @Test func aBodyOverTheBufferedLimitFailsAndItsConnectionIsNotReused() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /big HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789"),
        ])
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /small HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let client = try Self.client(backend) { $0.maxBufferedBodySize = 8 }
        let error = await #expect(throws: HTTPCoreError.self) { try await client.get("http://example.com/big") }
        #expect(error?.code == .bodyTooLarge)
        #expect(error?.category == .limit)
        await waitUntil("the cut connection is closed") { backend.streams.first?.isClosed == true }
        let small = try await client.get("http://example.com/small")
        #expect(small.text() == "ok")
        #expect(backend.connectRecords.count == 2)
        #expect(backend.failures.isEmpty)
        await client.shutdown()
    }

    @Test func aStreamScopeHandsTheConnectionBackReadOrNot() async throws {
        let backend = MockNetworkBackend()
        // Read to the end: the connection is reused.
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /one HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc"), .read("def"),
            .write("GET /two HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly the start"),
        ])
        // Left unread: that connection is closed, and the next request needs a new one.
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /three HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3"),
        ])
        let client = try Self.client(backend)
        let sizes = try await client.stream(.get, "http://example.com/one") { response in
            var sizes: [Int] = []
            for try await chunk in response.body { sizes.append(chunk.count) }
            return sizes
        }
        #expect(sizes.reduce(0, +) == 6)
        let status = try await client.stream(.get, "http://example.com/two") { $0.statusCode }
        #expect(status == 200)
        await waitUntil("the half-read connection is closed") { backend.streams.first?.isClosed == true }
        #expect(client.snapshot?.activeRequests == 0)
        let third = try await client.get("http://example.com/three")
        #expect(third.text() == "3")
        #expect(backend.connectRecords.count == 2)
        #expect(backend.failures.isEmpty)
        await client.shutdown()
    }

    @Test func aStreamScopeThatThrowsStillReleasesTheConnection() async throws {
        struct Stop: Error {}
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET / HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"),
        ])
        let client = try Self.client(backend)
        await #expect(throws: Stop.self) { try await client.stream(.get, "http://example.com/") { _ in throw Stop() } }
        await waitUntil("the connection is let go") { backend.streams.first?.isClosed == true && client.snapshot?.activeRequests == 0 }
        await client.shutdown()
    }

    @Test func aCancelledRequestFreesItsSlotAndConnection() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /slow HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
        ])
        let client = try Self.client(backend)
        let request = Task { try await client.get("http://example.com/slow") }
        await waitUntil("the request is on the wire") { backend.streams.first?.remainingSteps.isEmpty == true && client.snapshot?.activeRequests == 1 }
        request.cancel()
        #expect((await request.result.failure as? HTTPCoreError)?.code == .cancelled)
        await waitUntil("the slot is free and the connection closed") {
            client.snapshot?.activeRequests == 0 && backend.streams.first?.isClosed == true
        }
        await client.shutdown()
    }

    @Test func theTotalDeadlineCoversReadingTheBodyInTheHelpers() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET / HTTP/1.1\r\nHost: example.com\r\n\(Self.head)\r\n"),
            .delay(.seconds(1)),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"),
        ])
        let client = try Self.client(backend) { $0.timeouts = Timeouts(connect: .seconds(30), read: .seconds(30), write: .seconds(30), pool: .seconds(30), total: .seconds(3)) }
        let done = Locked(false)
        let request = Task {
            defer { done.withLock { $0 = true } }
            return try await client.get("http://example.com/")
        }
        let clock = backend.manualClock
        try await clock.waitForTimers(2) // the scripted delay and the read deadline
        clock.advance(by: .seconds(1))
        await waitUntil("the head and the first bytes are read") { backend.streams.first?.isComplete == true }
        clock.advance(by: .milliseconds(1999))
        for _ in 0..<200 { await Task.yield() }
        #expect(!done.withLock { $0 })
        clock.advance(by: .milliseconds(1))
        await waitUntil("the request ends at its deadline") { done.withLock { $0 } }
        #expect((await request.result.failure as? HTTPCoreError)?.code == .totalTimeout)
        await client.shutdown()
    }
}
