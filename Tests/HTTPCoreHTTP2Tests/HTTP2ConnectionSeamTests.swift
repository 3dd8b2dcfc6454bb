import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreTestSupport
import Testing

/// What `HTTP2Connection` shows the pool through the `Connection` seam.
@Suite struct HTTP2ConnectionSeamTests {
    @Test func theSeamShowsTheProtocolTheLimitAndItsChanges() async throws {
        let h2 = try await HTTP2Fixture.start(maxConcurrentStreams: 7)
        let connection: any Connection = h2.connection
        #expect(connection.version == .http2)
        #expect(connection.acceptsNewRequests)
        await waitUntil("the server's SETTINGS arrived") { connection.requestLimit == 7 }
        let changes = Locked<[ConnectionChange]>([])
        connection.observe { change in changes.withLock { $0.append(change) } }
        #expect(changes.withLock { $0 } == [.requestLimit(7)])
        await h2.server.perform { $0.changeMaxConcurrentStreams(to: 3) }
        await waitUntil("the new limit is reported") { changes.withLock { $0.count } == 2 }
        #expect(connection.requestLimit == 3)
        await h2.finish()
        #expect(!connection.acceptsNewRequests)
        #expect(changes.withLock { $0 } == [.requestLimit(7), .requestLimit(3), .stoppedAcceptingRequests])
    }
}
