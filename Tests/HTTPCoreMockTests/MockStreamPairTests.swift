import HTTPCore
import HTTPCoreMock
import Testing

@Suite struct MockStreamPairTests {
    @Test func transfersMegabytesBothWaysUnderBackpressure() async throws {
        let (client, server) = MockStreamPair.make(capacity: 4096)
        let size = 4 * 1024 * 1024
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        async let sent: Void = {
            var offset = 0
            while offset < size {
                try await client.write(Array(payload[offset..<min(offset + 10_000, size)]))
                offset += 10_000
            }
            await client.close(.graceful)
        }()
        var received: [UInt8] = []
        while let chunk = try await server.read(maxBytes: 7000) {
            #expect(chunk.count <= 4096)
            received += chunk
        }
        try await sent
        #expect(received == payload)
    }

    @Test func abortiveCloseResetsThePeer() async throws {
        let (client, server) = MockStreamPair.make()
        try await client.write([1, 2, 3])
        await client.close(.abortive)
        let error = await #expect(throws: HTTPCoreError.self) { try await server.read(maxBytes: 10) }
        #expect(error?.code == .connectionReset)
    }

    @Test func closeResumesThePendingRead() async throws {
        let (client, _) = MockStreamPair.make()
        let read = Task { try await client.read(maxBytes: 10) }
        await Task.yield()
        await client.close(.graceful)
        let error = await #expect(throws: HTTPCoreError.self) { try await read.value }
        #expect(error?.code == .connectionClosed)
    }

    @Test func closeResumesAWriteWaitingForRoom() async throws {
        let (client, server) = MockStreamPair.make(capacity: 16)
        let write = Task { try await client.write([UInt8](repeating: 1, count: 100)) }
        while !server.isReadable { await Task.yield() }
        await client.close(.graceful)
        let error = await #expect(throws: HTTPCoreError.self) { try await write.value }
        #expect(error?.code == .connectionClosed)
        // What fitted before the close still reaches the peer, then EOF.
        #expect(try await server.read(maxBytes: 100)?.count == 16)
        #expect(try await server.read(maxBytes: 100) == nil)
    }

    @Test func readDeadlineOnTheManualClock() async throws {
        let clock = ManualClock()
        let (client, server) = MockStreamPair.make(clock: clock)
        let read = Task { try await client.read(maxBytes: 10, deadline: clock.now + .seconds(2)) }
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(2))
        let error = await #expect(throws: HTTPCoreError.self) { try await read.value }
        #expect(error?.code == .readTimeout)
        try await server.write([9])
        #expect(try await client.read(maxBytes: 10) == [9])
    }

    @Test func writeBlocksOnAFullPipeUntilCancelled() async throws {
        let clock = ManualClock()
        let (client, _) = MockStreamPair.make(clock: clock, capacity: 8)
        let write = Task { try await client.write(Array(repeating: 0, count: 100), deadline: clock.now + .seconds(100)) }
        try await clock.waitForTimers(1)
        write.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await write.value }
        #expect(error?.code == .cancelled)
    }
}
