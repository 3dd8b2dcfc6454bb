import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreTestSupport
import HTTPCoreTLS
import HTTPTypes
import Testing

/// `HTTP2Connection` over libuv and Dispatch against nghttpd and nginx on 127.0.0.1,
/// over TLS (ALPN h2) and h2c (prior knowledge).
@Suite(.serialized) struct HTTP2InteropTests {
    static func connect(_ fixture: BackendFixture, port: Int, tls: Bool) async throws -> HTTP2Connection {
        let tcp = try await fixture.connect(port: port)
        var stream: any NetworkStream = tcp
        if tls {
            let context = try TLSContext(.client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))], applicationProtocols: ["h2"]))
            let secured = try await TLSStream.connect(over: tcp, host: "localhost", port: port, context: context, clock: fixture.clock)
            #expect(secured.info.alpn == "h2")
            stream = secured
        }
        let origin = Origin(scheme: tls ? "https" : "http", host: "localhost", port: port)
        return try await HTTP2Connection.start(over: stream, origin: origin, clock: fixture.clock)
    }

    static func checksum(_ bytes: [UInt8]) -> Checksum {
        var checksum = Checksum()
        checksum.add(bytes)
        return checksum
    }

    @Test(arguments: BackendKind.real, [true, false])
    func nghttpdGetPostAndManyRequests(kind: BackendKind, tls: Bool) async throws {
        let server = try await Nghttpd.start(tls: tls)
        defer { server.stop() }
        let fixture = kind.makeFixture()
        let connection = try await Self.connect(fixture, port: server.port, tls: tls)
        let base = "\(tls ? "https" : "http")://localhost:\(server.port)"

        let get = try await connection.send(try Request(url: "\(base)/file.bin"))
        #expect(get.status == .ok)
        var received = Checksum()
        for try await chunk in get.body { received.add(chunk) }
        #expect(received == Self.checksum(server.file))

        // 64 MiB up, echoed back.
        let chunks = 256
        let upload = AsyncStream<[UInt8]> { continuation in
            for index in 0..<chunks { continuation.yield(payloadChunk(index, size: 256 * 1024)) }
            continuation.finish()
        }
        var sent = Checksum()
        for index in 0..<chunks { sent.add(payloadChunk(index, size: 256 * 1024)) }
        let post = try await connection.send(try Request(method: "POST", url: "\(base)/file.bin", body: .stream(upload, length: chunks * 256 * 1024)))
        var echoed = Checksum()
        for try await chunk in post.body { echoed.add(chunk) }
        #expect(echoed == sent)

        // 10,000 requests, 100 in flight.
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started = 0
            var finished = 0
            func add() {
                group.addTask {
                    let response = try await connection.send(try Request(url: "\(base)/nothing-here"))
                    #expect(response.status == .notFound)
                    _ = try await response.body.collect(upTo: 1 << 16)
                }
                started += 1
            }
            while started < 100 { add() }
            while try await group.next() != nil {
                finished += 1
                if started < 10_000 { add() }
            }
            #expect(finished == 10_000)
        }
        #expect(connection.requestCount == 10_002)
        #expect(connection.isIdle)
        await connection.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func nginx256MiBDownloadOverTLSAndH2C(kind: BackendKind) async throws {
        let nginx = try await Nginx.start(tls: true, fileSize: 256 << 20)
        defer { nginx.stop() }
        let fixture = kind.makeFixture()
        let expected = Self.checksum(nginx.file)
        for (port, tls) in [(nginx.tlsPort!, true), (nginx.h2cPort!, false)] {
            let connection = try await Self.connect(fixture, port: port, tls: tls)
            let base = "\(tls ? "https" : "http")://localhost:\(port)"
            let page = try await connection.send(try Request(url: "\(base)/"))
            #expect(try await page.body.collect(upTo: 1024) == Array("hello from nginx\n".utf8))
            let download = try await connection.send(try Request(url: "\(base)/file.bin"))
            var received = Checksum()
            for try await chunk in download.body { received.add(chunk) }
            #expect(received == expected, "tls: \(tls)")
            await connection.close()
        }
        await fixture.shutdown()
    }
}
