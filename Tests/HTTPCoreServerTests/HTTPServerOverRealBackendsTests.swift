import Foundation
import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreHTTP2
import HTTPCorePool
import HTTPCoreServer
import HTTPCoreTLS
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// Our client against our server on loopback, on every real backend, over cleartext and
/// TLS, HTTP/1.1 and HTTP/2: a POST answered through the request/response API, a full
/// duplex echo chunk by chunk, and the aioh2 stream API on both ends.
@Suite(.serialized) struct HTTPServerOverRealBackendsTests {
    enum Wire: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case http1, h2c, http1TLS, h2TLS
        var testDescription: String { rawValue }
        var isTLS: Bool { self == .http1TLS || self == .h2TLS }
        var isHTTP2: Bool { self == .h2c || self == .h2TLS }
    }

    static let cases: [(BackendKind, Wire)] = BackendKind.real.flatMap { kind in Wire.allCases.map { (kind, $0) } }

    /// Echoes each request body chunk as it arrives; trailer `x-echo-bytes` at the end.
    static let echo: HTTPServer.Handler = .requests { request, response in
        try await response.writeHead(HTTPResponse(status: .ok))
        var total = 0
        for try await chunk in request.body {
            total += chunk.count
            try await response.write(chunk)
        }
        try await response.finish(trailers: [HTTPField.Name("x-echo-bytes")!: "\(total)"])
    }

    func start(_ kind: BackendKind, _ wire: Wire, handler: HTTPServer.Handler = Self.echo) async throws -> (BackendFixture, HTTPServer, ConnectionPool, String) {
        let fixture = kind.makeFixture()
        let pki = try TestPKI.shared()
        var configuration = HTTPServer.Configuration()
        if wire.isTLS {
            configuration.tls = try TLSContext(.server(
                certificateChain: .file(pki.path("good.pem")), privateKey: .file(pki.path("good.key")), applicationProtocols: ["h2", "http/1.1"]
            ))
        }
        let server = try await HTTPServer.start(backend: fixture.backend, configuration: configuration, handler: handler)
        guard case .inet(_, let port) = server.localAddress else { throw HTTPCoreError(.connectFailed, "no port") }
        var poolConfiguration = ConnectionPool.Configuration()
        poolConfiguration.http1 = !wire.isHTTP2
        poolConfiguration.http2 = wire.isHTTP2
        poolConfiguration.tls = .client(trustRoots: [.file(pki.path("ca.pem"))])
        let pool = try ConnectionPool(backend: fixture.backend, configuration: poolConfiguration)
        let url = wire.isTLS ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)"
        return (fixture, server, pool, url)
    }

    func stop(_ fixture: BackendFixture, _ server: HTTPServer, _ pool: ConnectionPool) async {
        await pool.shutdown()
        await server.shutdown()
        #expect(server.connectionCount == 0)
        await fixture.shutdown()
    }

    @Test(arguments: cases)
    func aFullDuplexEchoChunkByChunk(kind: BackendKind, wire: Wire) async throws {
        let (fixture, server, pool, url) = try await start(kind, wire)
        let (chunks, feed) = AsyncStream.makeStream(of: [UInt8].self)
        let response = try await pool.send(try Request(method: "POST", url: url + "/echo", body: .stream(chunks)))
        #expect(response.version == (wire.isHTTP2 ? .http2 : .http1_1))
        var echoed = response.body.makeAsyncIterator()
        var sent = 0
        for index in 0..<6 {
            let chunk = [UInt8](repeating: UInt8(index), count: 1000 * (index + 1))
            sent += chunk.count
            feed.yield(chunk)
            var back: [UInt8] = []
            while back.count < chunk.count, let piece = try await echoed.next() { back += piece }
            #expect(back == chunk)
        }
        feed.finish()
        #expect(try await echoed.next() == nil)
        #expect(response.body.trailers?[HTTPField.Name("x-echo-bytes")!] == "\(sent)")
        await stop(fixture, server, pool)
    }

    @Test(arguments: cases)
    func manyRequestsAtOnce(kind: BackendKind, wire: Wire) async throws {
        let (fixture, server, pool, url) = try await start(kind, wire)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let body = Array("request \(index)".utf8)
                    let response = try await pool.send(try Request(method: "POST", url: url + "/", body: .bytes(body)))
                    #expect(try await response.body.collect(upTo: 1 << 20) == body)
                }
            }
            try await group.waitForAll()
        }
        #expect(server.requestsServed == 40)
        await stop(fixture, server, pool)
    }

    /// A Unix socket instead of TCP: HTTP/1.1 and h2c (by preface) on the same path.
    @Test(arguments: BackendKind.real)
    func overAUnixSocket(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("httpcore-server-\(UInt32.random(in: 0...UInt32.max)).sock").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try await HTTPServer.start(backend: fixture.backend, configuration: HTTPServer.Configuration(address: .unix(path: path)), handler: Self.echo)
        #expect(server.localAddress == .unix(path: path))
        let origin = Origin(scheme: "http", host: "localhost", port: 80)
        let http1 = HTTP1Connection(stream: try await fixture.backend.connectUnixSocket(path: path, options: ConnectOptions()), origin: origin, clock: fixture.clock)
        let first = try await http1.send(try Request(method: "POST", url: "http://localhost/", body: .bytes(Array("over HTTP/1.1".utf8))))
        #expect(try await first.body.collect(upTo: 1 << 10) == Array("over HTTP/1.1".utf8))
        await http1.close()
        let h2 = try await HTTP2Connection.start(over: try await fixture.backend.connectUnixSocket(path: path, options: ConnectOptions()), origin: origin, clock: fixture.clock)
        let second = try await h2.send(try Request(method: "POST", url: "http://localhost/", body: .bytes(Array("over h2c".utf8))))
        #expect(second.version == .http2)
        #expect(try await second.body.collect(upTo: 1 << 10) == Array("over h2c".utf8))
        await h2.close()
        await server.shutdown()
        #expect(server.connectionCount == 0)
        await fixture.shutdown()
    }

    /// aioh2 on both ends: the client's stream API against the server's connection API.
    @Test(arguments: BackendKind.real)
    func theStreamAPIOnBothEnds(kind: BackendKind) async throws {
        let (fixture, server, pool, _) = try await start(kind, .h2c, handler: .connections { connection in
            while let (id, _) = try await connection.receiveRequest() {
                let body = try await connection.readStream(id, maxBytes: nil)
                try await connection.startResponse(HTTPResponse(status: .ok), on: id, endStream: false)
                try await connection.sendData(Array("hello, ".utf8) + body, on: id, endStream: false)
                try await connection.sendTrailers([HTTPField.Name("len")!: "\(body.count)"], on: id)
            }
        })
        guard case .inet(_, let port) = server.localAddress else { return }
        let stream = try await fixture.connect(port: port)
        let client = try await HTTP2Connection.start(over: stream, origin: Origin(scheme: "http", host: "127.0.0.1", port: port), clock: fixture.clock)
        #expect(try await client.waitFunctional() >= .zero)
        let id = try await client.startRequest(HTTPRequest(method: .post, scheme: "http", authority: "127.0.0.1:\(port)", path: "/"))
        try await client.sendData(Array("world".utf8), on: id, endStream: true)
        #expect(try await client.receiveResponse(on: id).status == .ok)
        #expect(try await client.readStream(id) == Array("hello, world".utf8))
        #expect(try await client.receiveTrailers(on: id)[HTTPField.Name("len")!] == "5")
        await client.close()
        await stop(fixture, server, pool)
    }
}
