package import HTTPCore
package import HTTPCoreBackendConformance
import HTTPCoreDispatch
import HTTPCoreLibUV
package import HTTPCoreMock
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every backend the conformance suite runs against. Adding a backend adds a case here.
package enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case mock, libuv, dispatch

    package var testDescription: String { rawValue }
    package static var real: [BackendKind] { allCases.filter { $0 != .mock } }

    package func makeFixture() -> BackendFixture {
        switch self {
        case .mock: BackendFixture(kind: self, backend: MockNetworkBackend())
        case .libuv: BackendFixture(kind: self, backend: LibUVBackend(loopCount: 2))
        case .dispatch: BackendFixture(kind: self, backend: DispatchBackend(queueCount: 2))
        }
    }
}

/// A backend plus what the suite needs to drive it the same way whatever it is.
package struct BackendFixture: Sendable {
    package let kind: BackendKind
    package let backend: any NetworkBackend

    package var manualClock: ManualClock? { (backend as? MockNetworkBackend)?.manualClock }
    package var clock: any HTTPClock { backend.clock }

    package func shutdown() async {
        if let backend = backend as? LibUVBackend { await backend.shutdown() }
    }

    /// Lets `duration` pass: by itself on a real backend; on the mock, the manual clock
    /// moves once the code under test has armed `timers` timers.
    package func letTimePass(_ duration: Duration, afterTimers timers: Int = 1) async throws {
        guard let clock = manualClock else { return }
        try await clock.waitForTimers(timers)
        clock.advance(by: duration)
    }

    package func listen() async throws -> (listener: any NetworkListener, port: Int) {
        let listener = try await backend.listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
        guard case .inet(_, let port) = listener.localAddress else { throw HTTPCoreError(.connectFailed, "no port") }
        return (listener, port)
    }

    package func connect(port: Int, options: ConnectOptions = ConnectOptions()) async throws -> any NetworkStream {
        try await backend.connectTCP(host: "127.0.0.1", port: port, options: options)
    }

    /// A socket option read back from a real socket (nil on the mock).
    package func option(_ stream: any NetworkStream, level: Int32, name: Int32) async -> Int32? {
        if let stream = stream as? LibUVStream { return await stream.socketOption(level: level, name: name) }
        if let stream = stream as? DispatchStream { return stream.socketOption(level: level, name: name) }
        return nil
    }
}

/// Accepts streams and echoes each one until EOF.
package func startEchoServer(_ listener: any NetworkListener) -> Task<Void, Never> {
    HTTPCoreBackendConformance.startEchoServer(listener)
}

/// Reads until `count` bytes or EOF.
package func readExactly(_ count: Int, from stream: any NetworkStream) async throws -> [UInt8] {
    var received: [UInt8] = []
    while received.count < count, let bytes = try await stream.read(maxBytes: count - received.count) { received += bytes }
    return received
}

/// An order-sensitive checksum with the byte count, for transfers too large to compare
/// whole: the conformance product's, so a test and a conformance check agree.
package typealias Checksum = TransferChecksum

/// `size` bytes of `payloadChunk` data in a row: a file for a server to serve.
package func payloadFile(size: Int) -> [UInt8] {
    var file: [UInt8] = []
    file.reserveCapacity(size)
    var index = 0
    while file.count < size {
        file += payloadChunk(index, size: 256 * 1024).prefix(size - file.count)
        index += 1
    }
    return file
}

/// Chunk `index` of a large transfer (256 KiB; sixteen patterns in turn).
package func payloadChunk(_ index: Int, size: Int) -> [UInt8] {
    precondition(size == 256 * 1024, "patterns are 256 KiB")
    return TransferChecksum.chunk(index)
}
