import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPCoreTestSupport
import Testing

/// What `HTTP1Connection` shows the pool through the `Connection` seam.
@Suite struct HTTP1ConnectionSeamTests {
    @Test func oneRequestAtATimeUntilClosedAndNoStreamControl() async throws {
        let h = Harness([
            .write(HTTP1ConnectionTests.getHead),
            .read("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello"),
        ], split: .whole)
        let connection: any Connection = h.connection
        #expect(connection.version == .http1_1)
        #expect(connection.requestLimit == 1)
        #expect(connection.acceptsNewRequests)
        let changes = Locked<[ConnectionChange]>([])
        connection.observe { change in changes.withLock { $0.append(change) } }
        let response = try await connection.send(h.get())
        // The peer's version is the response's; the connection still speaks HTTP/1.1.
        #expect(response.version == .http1_0)
        #expect(response.streamControl == nil)
        #expect(try await response.body.string() == "hello")
        await connection.close()
        #expect(!connection.acceptsNewRequests)
        #expect(changes.withLock { $0 }.isEmpty)
    }
}
