import HTTPCore
import HTTPCoreMock
@testable import HTTPCorePool
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The pool through proxies over the mock backend: exactly what goes to the proxy on the
/// wire, typed failures, the connect deadline on a manual clock, and cancellation.
@Suite struct ProxyMockTests {
    static func configuration(_ url: String) throws -> ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        configuration.proxy = try Proxy(url: url)
        return configuration
    }

    static func text(_ response: Response) async throws -> String {
        String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
    }

    static func request(_ url: String) throws -> Request {
        var options = RequestOptions()
        options.timeouts.pool = nil
        return try Request(url: url, options: options)
    }

    @Test func forwardedRequestsAreAbsoluteCarryTheCredentialsAndReuseTheConnection() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 3128, script: [
            .write("GET http://example.com/a HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"),
            .write("GET http://example.com/b HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"),
        ])
        try await withConnectionPool(backend: backend, configuration: try Self.configuration("http://user:pass@proxy.test:3128")) { pool in
            let one = try await Self.text(try await pool.send(try Self.request("http://example.com/a")))
            let two = try await Self.text(try await pool.send(try Self.request("http://example.com/b")))
            #expect([one, two] == ["one", "two"])
            // Kept by origin, as httpcore does.
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 2]>"])
        }
        #expect(backend.connectRecords.map(\.host) == ["proxy.test"])
        #expect(backend.failures.isEmpty)
    }

    @Test func aForwarded407IsTypedAndItsConnectionClosed() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 3128, script: [
            .write("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 4\r\n\r\nnope"),
        ])
        let pool = try ConnectionPool(backend: backend, configuration: try Self.configuration("http://proxy.test:3128"))
        let error = await #expect(throws: HTTPCoreError.self) { try await pool.send(try Self.request("http://example.com/")) }
        #expect(error?.code == .proxyAuthenticationRequired)
        #expect(error?.category == .proxy)
        #expect(error?.underlying as? ProxyRefusal == .httpStatus(407))
        #expect(pool.connections.isEmpty)
        // Dropping the proxy's body closes the connection from a task of its own.
        await waitUntil("the proxy connection is closed") { backend.streams.first?.isClosed == true }
        await pool.shutdown()
    }

    struct ConnectFailure: Sendable, CustomTestStringConvertible {
        var name: String
        var answer: [MockStep]
        var code: HTTPCoreError.Code
        var refusal: ProxyRefusal?
        var testDescription: String { name }
    }

    static let connectFailures: [ConnectFailure] = [
        ConnectFailure(name: "407", answer: [.read("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")], code: .proxyAuthenticationRequired, refusal: .httpStatus(407)),
        ConnectFailure(name: "403", answer: [.read("HTTP/1.0 403 Access violation\r\n\r\n"), .eof], code: .proxyTunnelRefused, refusal: .httpStatus(403)),
        ConnectFailure(name: "502", answer: [.read("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")], code: .proxyTunnelRefused, refusal: .httpStatus(502)),
        ConnectFailure(name: "garbage", answer: [.read("SSH-2.0-OpenSSH_9.2\r\n\r\n")], code: .proxyProtocolError),
        ConnectFailure(name: "close without an answer", answer: [.eof], code: .proxyProtocolError),
        ConnectFailure(name: "reset", answer: [.reset], code: .connectionReset),
    ]

    @Test(arguments: connectFailures)
    func connectFailuresAreTypedAndCloseTheProxyConnection(_ failure: ConnectFailure) async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 3128, script: [
            .write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
        ] + failure.answer)
        let pool = try ConnectionPool(backend: backend, configuration: try Self.configuration("http://user:pass@proxy.test:3128"))
        let error = await #expect(throws: HTTPCoreError.self) { try await pool.send(try Self.request("https://example.com/")) }
        #expect(error?.code == failure.code)
        #expect(error?.isSafeToRetry == true)
        #expect(error?.underlying as? ProxyRefusal == failure.refusal)
        #expect(backend.streams.first?.closeMode == .abortive)
        #expect(backend.failures.isEmpty)
        await pool.shutdown()
    }

    @Test func anUnreachableProxyIsTypedAndRetriedWithBackoff() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 1080, .refuse)
        var configuration = try Self.configuration("socks5h://proxy.test")
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let error = await #expect(throws: HTTPCoreError.self) { try await pool.send(try Self.request("http://example.com/")) }
        #expect(error?.code == .proxyUnreachable)
        #expect(error?.category == .proxy)
        #expect((error?.underlying as? HTTPCoreError)?.code == .connectRefused)
        await pool.shutdown()

        backend.expectConnect(host: "proxy.test", port: 1080, .refuse)
        backend.expectConnect(host: "proxy.test", port: 1080, script: [
            .write([5, 1, 0]), .read([5, 0]),
            .write([5, 1, 0, 3, 11] + Array("example.com".utf8) + [0, 80]), .read([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            .write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        configuration.retries = 1
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            let request = Task { try await Self.text(try await pool.send(try Self.request("http://example.com/"))) }
            try await backend.manualClock.waitForTimers(1) // the backoff
            backend.manualClock.advance(by: .milliseconds(500))
            let text = try await request.value
            #expect(text == "ok")
        }
        #expect(backend.failures.isEmpty)
    }

    @Test func socks5hSendsTheNameAndNoCredentialsReachTheOrigin() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 1080, script: [
            .write([5, 2, 0, 2]), .read([5, 2]),
            .write([1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8)), .read([1, 0]),
            .write([5, 1, 0, 3, 11] + Array("example.com".utf8) + [0x1F, 0x90]), .read([5, 0, 0, 1, 10, 0, 0, 1, 0x9C, 0x40]),
            // The exact bytes: nothing about the proxy reaches the origin.
            .write("GET /x HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"), .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        try await withConnectionPool(backend: backend, configuration: try Self.configuration("socks5h://alice:s3cret@proxy.test")) { pool in
            let text = try await Self.text(try await pool.send(try Self.request("http://example.com:8080/x")))
            #expect(text == "ok")
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:8080', HTTP/1.1, IDLE, Request Count: 1]>"])
        }
        #expect(backend.failures.isEmpty)
    }

    /// socks5 resolves through the backend and sends the first IPv4 address even when an
    /// IPv6 address comes first: the proxy makes one connect, IPv4 is the likelier to work.
    @Test func socks5ResolvesThroughTheBackendAndSendsTheIPv4Address() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", addresses: ["2001:db8::7", "10.0.0.7"])
        backend.expectConnect(host: "proxy.test", port: 1080, script: [
            .write([5, 1, 0]), .read([5, 0]),
            .write([5, 1, 0, 1, 10, 0, 0, 7, 0, 80]), .read([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            .write("GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        try await withConnectionPool(backend: backend, configuration: try Self.configuration("socks5://proxy.test")) { pool in
            let response = try await pool.send(try Self.request("http://origin.test/"))
            #expect(response.status == .noContent)
        }
        #expect(backend.lookups == ["origin.test"])
        #expect(backend.connectRecords.map(\.host) == ["proxy.test"])
        #expect(backend.failures.isEmpty)
    }

    @Test func socks5SendsAnIPv6AddressWhenTheNameHasNoIPv4() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", addresses: ["2001:db8::7"])
        backend.expectConnect(host: "proxy.test", port: 1080, script: [
            .write([5, 1, 0]), .read([5, 0]),
            .write([5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [7, 0x1F, 0x90]),
            .read([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            .write("GET / HTTP/1.1\r\nHost: origin.test:8080\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        try await withConnectionPool(backend: backend, configuration: try Self.configuration("socks5://proxy.test")) { pool in
            let response = try await pool.send(try Self.request("http://origin.test:8080/"))
            #expect(response.status == .noContent)
        }
        #expect(backend.failures.isEmpty)
    }

    /// The lookup comes before the proxy connection, so a name that does not resolve
    /// fails typed, safe to retry, with nothing opened.
    @Test func socks5WithANameThatDoesNotResolveFailsBeforeReachingTheProxy() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", .failure(HTTPCoreError(.hostNotFound, "NXDOMAIN", processing: .notProcessed)))
        let pool = try ConnectionPool(backend: backend, configuration: try Self.configuration("socks5://proxy.test"))
        let error = await #expect(throws: HTTPCoreError.self) { try await pool.send(try Self.request("http://origin.test/")) }
        #expect(error?.code == .hostNotFound)
        #expect(error?.processing == .notProcessed)
        #expect(backend.lookups == ["origin.test"])
        #expect(backend.connectRecords.isEmpty)
        await pool.shutdown()
    }

    /// socks5h hands the name to the proxy: the backend is never asked.
    @Test func socks5hDoesNotResolve() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 1080, script: [
            .write([5, 1, 0]), .read([5, 0]),
            .write([5, 1, 0, 3, 11] + Array("origin.test".utf8) + [0, 80]), .read([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            .write("GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        try await withConnectionPool(backend: backend, configuration: try Self.configuration("socks5h://proxy.test")) { pool in
            let response = try await pool.send(try Self.request("http://origin.test/"))
            #expect(response.status == .noContent)
        }
        #expect(backend.lookups.isEmpty)
        #expect(backend.failures.isEmpty)
    }

    @Test func aLookupThatDoesNotAnswerEndsAtTheConnectTimeout() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", .hang)
        var configuration = try Self.configuration("socks5://proxy.test")
        configuration.connectTimeout = .seconds(3)
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let request = Task { try await pool.send(try Self.request("http://origin.test/")) }
        try await backend.manualClock.waitForTimers(1) // the lookup's deadline
        backend.manualClock.advance(by: .seconds(3))
        let error = await #expect(throws: HTTPCoreError.self) { try await request.value }
        #expect(error?.code == .connectTimeout)
        #expect(error?.processing == .notProcessed)
        #expect(backend.connectRecords.isEmpty)
        await pool.shutdown()
    }

    @Test func aCancelledRequestStopsWaitingForItsLookup() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", .hang)
        let pool = try ConnectionPool(backend: backend, configuration: try Self.configuration("socks5://proxy.test"))
        let request = Task { try await pool.send(try Self.request("http://origin.test/")) }
        await waitUntil("the lookup has started") { backend.lookups == ["origin.test"] }
        request.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await request.value }
        #expect(error?.code == .cancelled)
        #expect(backend.connectRecords.isEmpty)
        await pool.shutdown()
    }

    @Test(arguments: ["http://proxy.test:1080", "socks5h://proxy.test"])
    func aSilentProxyEndsAtTheConnectTimeout(proxy: String) async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 1080, script: [.writePrefix(proxy.hasPrefix("http") ? "CONNECT" : "\u{05}")])
        var configuration = try Self.configuration(proxy)
        configuration.connectTimeout = .seconds(3)
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let request = Task { try await pool.send(try Self.request("https://example.com/")) }
        try await backend.manualClock.waitForTimers(1) // the handshake's read deadline
        backend.manualClock.advance(by: .seconds(3))
        let error = await #expect(throws: HTTPCoreError.self) { try await request.value }
        #expect(error?.code == .connectTimeout)
        #expect(error?.detail == "the proxy handshake did not finish in time")
        #expect(backend.streams.first?.isClosed == true)
        await pool.shutdown()
    }

    @Test func aCancelledHandshakeStopsAtOnceAndClosesTheStream() async throws {
        let clock = ManualClock()
        let stream = MockScriptedStream([.write([5, 1, 0])], clock: clock)
        let task = Task {
            var handshake = SOCKS5Handshake(address: .domain("example.com"), port: 443, credentials: nil)
            return try await handshake.run(over: stream, deadline: nil)
        }
        await waitUntil("the greeting is written") { stream.written == [5, 1, 0] }
        task.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await task.value }
        #expect(error?.code == .cancelled)
        #expect(stream.closeMode == .abortive)
    }

    @Test func bytesAfterTheReplyAreReadFirstThroughTheTunnel() async throws {
        let clock = ManualClock()
        let stream = MockScriptedStream([
            .write([5, 1, 0]), .read([5, 0]),
            .write([5, 1, 0, 1, 127, 0, 0, 1, 1, 0xBB]), .read([5, 0, 0, 1, 0, 0, 0, 0, 0, 0] + Array("early".utf8)),
            .read("later"),
        ], clock: clock)
        var handshake = SOCKS5Handshake(address: .ipv4([127, 0, 0, 1]), port: 443, credentials: nil)
        let tunnel = try await handshake.run(over: stream, deadline: nil)
        #expect(tunnel.isReadable)
        #expect(try await tunnel.read(maxBytes: 2) == Array("ea".utf8))
        #expect(try await tunnel.read(maxBytes: 100) == Array("rly".utf8))
        #expect(try await tunnel.read(maxBytes: 100) == Array("later".utf8))
        #expect(stream.failures.isEmpty)
    }
}
