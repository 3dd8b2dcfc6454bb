import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The server's typed events (`Configuration.onEvent`) as metrics and tracing read them:
/// each open and each request paired with its end, the outcome's status and bytes, and
/// the HTTP/2 streams nghttp2 refuses past our limit.
@Suite struct HTTPServerEventTests {
    final class Events: Sendable {
        private let recorded = Locked<[String]>([])
        var all: [String] { recorded.withLock { $0 } }

        func record(_ event: HTTPServer.Event) {
            let line: String = switch event {
            case .connectionOpened(let connection, let remote):
                remote == nil ? "opened #\(connection) from nowhere" : "opened #\(connection)"
            case .connectionEnded(let end, _, let connection): "ended \(end) #\(connection.map(String.init) ?? "-")"
            case .requestStarted(let method, let version, let connection, let request):
                "started \(method.rawValue) \(version) #\(connection)/\(request)"
            case .requestFailed(_, _, let connection, let request): "failed #\(connection)/\(request)"
            case .requestEnded(let outcome):
                "request ended \(outcome.method.rawValue) \(outcome.status.map(String.init) ?? "-") \(outcome.responseBodyBytes) failed=\(outcome.failed) #\(outcome.connection)/\(outcome.request)"
            case .streamsRefused(let count, let connection): "refused \(count) #\(connection)"
            }
            recorded.withLock { $0.append(line) }
        }
    }

    struct Refused: Error {}

    @Test func eachOpenAndEachRequestHasItsEndWithTheOutcome() async throws {
        let events = Events()
        let fixture = try await ServerFixture.start({ $0.onEvent = events.record }, handler: .requests { request, response in
            switch request.head.path {
            case "/boom": throw Refused()
            case "/nothing": return
            default:
                try await response.writeHead(HTTPResponse(status: .created))
                try await response.write(Array("abc".utf8))
                try await response.write(Array("de".utf8))
                try await response.finish()
            }
        })
        let pool = try fixture.pool()
        for path in ["/", "/boom", "/nothing"] {
            let response = try await pool.send(try Request(url: fixture.url + path))
            _ = try await response.body.collect(upTo: 1 << 20)
        }
        await pool.shutdown()
        await waitUntil("the connection's end was reported") { events.all.last?.hasPrefix("ended") == true }
        await fixture.server.shutdown()
        #expect(events.all == [
            "opened #1",
            "started GET HTTP/1.1 #1/1", "request ended GET 201 5 failed=false #1/1",
            "started GET HTTP/1.1 #1/2", "failed #1/2", "request ended GET 500 22 failed=true #1/2",
            "started GET HTTP/1.1 #1/3", "request ended GET 500 22 failed=false #1/3",
            "ended closed #1",
        ])
    }

    /// A client that opens two streams at once before acknowledging our limit of one:
    /// nghttp2 refuses the second by itself, and the server reports it.
    @Test func aStreamPastTheLimitIsReportedRefused() async throws {
        let events = Events()
        let gate = Gate()
        let fixture = try await ServerFixture.start({ configuration in
            configuration.http2Connection.maxConcurrentStreams = 1
            configuration.onEvent = events.record
        }, handler: .requests { _, response in
            try await gate.wait()
            try await response.respond(HTTPResponse(status: .ok))
        })
        let stream = try await fixture.connect()
        let client = try NGHTTP2Session(role: .client)
        let head: HTTP2HeaderList = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "127.0.0.1")]
        _ = client.submitRequest(head, hasBody: false)
        _ = client.submitRequest(head, hasBody: false)
        var output: [UInt8] = []
        _ = client.takeOutput(into: &output)
        try await stream.write(output, deadline: nil)
        var happened: [NGHTTP2Session.Event] = []
        var refused = false
        while !refused, let bytes = try await stream.read(maxBytes: 65536, deadline: nil) {
            _ = client.receive(bytes, into: &happened)
            refused = happened.contains { if case .resetByPeer(3, 7) = $0 { true } else { false } }
        }
        #expect(refused)
        gate.open()
        await waitUntil("stream 1's request ended") { events.all.contains("request ended GET 200 0 failed=false #1/1") }
        await stream.close(.abortive)
        await waitUntil("the connection's end was reported") { events.all.last?.hasPrefix("ended") == true }
        await fixture.server.shutdown()
        #expect(events.all.filter { $0.hasPrefix("refused") } == ["refused 1 #1"])
        #expect(events.all.filter { $0.hasPrefix("started") } == ["started GET HTTP/2 #1/1"])
    }
}
