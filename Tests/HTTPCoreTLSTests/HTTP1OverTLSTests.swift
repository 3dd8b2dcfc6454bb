import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPCoreTestSupport
import HTTPCoreTLS
import Testing

/// `HTTP1Connection` over `TLSStream` over the in-memory pair, with the server side written
/// by hand: how a missing close_notify reads at each point of a response.
@Suite struct HTTP1OverTLSTests {
    /// Sends GET / and lets `serve` answer on the server's TLS stream.
    func exchange(_ serve: @escaping @Sendable (TLSStream, MockPipeStream) async throws -> Void) async throws -> (HTTP1Connection, Result<[UInt8], any Error>) {
        let pair = try await TLSPair.connect(client: TLSFixtures.client(), server: TLSFixtures.server())
        let connection = HTTP1Connection(stream: pair.client, origin: Origin(scheme: "https", host: "localhost", port: 443), clock: SystemClock())
        let server = Task {
            _ = try await pair.server.read(maxBytes: 65536) // the request
            try await serve(pair.server, pair.serverPipe)
        }
        let outcome: Result<[UInt8], any Error>
        do {
            let response = try await connection.send(try Request(url: "https://localhost/"))
            outcome = .success(try await response.body.collect(upTo: 1 << 20))
        } catch {
            outcome = .failure(error)
        }
        try await server.value
        return (connection, outcome)
    }

    /// The server's socket closes (FIN) under its TLS stream: no close_notify.
    static func cut(_ socket: MockPipeStream) async {
        await socket.close(.graceful)
    }

    @Test func aCloseDelimitedBodyNeedsCloseNotify() async throws {
        let body = "the whole body"
        let (_, clean) = try await exchange { server, socket in
            try await server.write(Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n\(body)".utf8))
            await server.close(.graceful)
        }
        #expect(try clean.get() == Array(body.utf8))

        let (connection, cut) = try await exchange { server, socket in
            try await server.write(Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n\(body)".utf8))
            await Self.cut(socket)
        }
        #expect(throws: HTTPCoreError.self) { try cut.get() }
        if case .failure(let error as HTTPCoreError) = cut {
            #expect(error.code == .tlsTruncated, "\(error)")
        }
        #expect(connection.isClosed)
    }

    @Test func aLengthDelimitedBodyIsCompleteWithoutCloseNotify() async throws {
        let (connection, outcome) = try await exchange { server, socket in
            try await server.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".utf8))
            await Self.cut(socket)
        }
        #expect(try outcome.get() == Array("hello".utf8))
        #expect(!connection.isAvailable)
    }

    @Test func noCloseNotifyBeforeAnyResponseByteIsClosedBeforeResponse() async throws {
        let (_, outcome) = try await exchange { server, socket in await Self.cut(socket) }
        #expect(throws: HTTPCoreError.self) { try outcome.get() }
        if case .failure(let error as HTTPCoreError) = outcome {
            #expect(error.code == .closedBeforeResponse, "\(error)")
        }
    }
}
