import HTTPCore
import HTTPCoreMock
import HTTPCoreTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One suite, every backend. Each case runs on loopback (or in memory for the mock).
@Suite(.serialized) struct BackendConformanceTests {
    @Test(arguments: BackendKind.allCases)
    func echoOverTCP(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let server = startEchoServer(listener)
        let stream = try await fixture.connect(port: port)
        try await stream.write(Array("hello, backend".utf8))
        #expect(try await readExactly(14, from: stream) == Array("hello, backend".utf8))
        if case .inet(let host, _)? = stream.info.remoteAddress { #expect(host == "127.0.0.1") }
        await stream.close(.graceful)
        await listener.close()
        server.cancel()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func echoOverUnixSocket(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let path = "/tmp/httpcore-\(kind)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let listener = try await fixture.backend.listenUnix(path: path, options: ListenOptions())
        let server = startEchoServer(listener)
        let stream = try await fixture.backend.connectUnixSocket(path: path, options: ConnectOptions())
        try await stream.write(Array("over a unix socket".utf8))
        #expect(try await readExactly(18, from: stream) == Array("over a unix socket".utf8))
        await stream.close(.graceful)
        await listener.close()
        server.cancel()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func transfer64MiBEachWayWithChecksum(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let chunk = 256 * 1024
        let chunks = 256  // 64 MiB
        let server = Task { () throws -> (Checksum, Checksum) in
            let stream = try #require(try await listener.accept())
            // Receive 64 MiB, then send 64 MiB back.
            var received = Checksum()
            while received.count < chunk * chunks, let bytes = try await stream.read(maxBytes: 1 << 20) { received.add(bytes) }
            var sent = Checksum()
            for index in 0..<chunks {
                let bytes = payloadChunk(index, size: chunk)
                sent.add(bytes)
                try await stream.write(bytes)
            }
            await stream.close(.graceful)
            return (received, sent)
        }
        let stream = try await fixture.connect(port: port)
        var sent = Checksum()
        for index in 0..<chunks {
            let bytes = payloadChunk(index, size: chunk)
            sent.add(bytes)
            try await stream.write(bytes)
        }
        var received = Checksum()
        while let bytes = try await stream.read(maxBytes: 1 << 20) { received.add(bytes) }
        let (serverReceived, serverSent) = try await server.value
        #expect(serverReceived == sent)
        #expect(received == serverSent)
        #expect(received.count == 64 << 20)
        await stream.close(.graceful)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func thousandConcurrentConnections(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let server = startEchoServer(listener)
        let echoed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let stream = try await fixture.connect(port: port)
                    let message = Array("connection \(index)".utf8)
                    try await stream.write(message)
                    let reply = try await readExactly(message.count, from: stream)
                    await stream.close(.graceful)
                    return reply == message
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(echoed == 1000)
        await listener.close()
        server.cancel()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func connectRefused(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        // A port held by a bound socket that does not listen: the kernel answers RST, and
        // no parallel test can take the port meanwhile.
        let closed = try ClosedPort()
        defer { closed.release() }
        (fixture.backend as? MockNetworkBackend)?.expectConnect(.refuse)
        let error = await #expect(throws: HTTPCoreError.self) { try await fixture.connect(port: closed.port) }
        #expect(error?.code == .connectRefused)
        #expect(error?.category == .network(.connect))
        #expect(error?.isSafeToRetry == true)
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func connectTimeout(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let target = try await BlackHole.make(fixture)
        let error = await #expect(throws: HTTPCoreError.self) {
            async let attempt = fixture.connect(port: target.port, options: ConnectOptions(timeout: .milliseconds(300)))
            try await fixture.letTimePass(.milliseconds(300))
            _ = try await attempt
        }
        #expect(error?.code == .connectTimeout)
        #expect(error?.category == .timeout(.connect))
        await target.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func connectCancellation(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let target = try await BlackHole.make(fixture)
        let attempt = Task { try await fixture.connect(port: target.port, options: ConnectOptions(timeout: .seconds(60))) }
        try await fixture.manualClock?.waitForTimers(1)
        attempt.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await attempt.value }
        #expect(error?.code == .cancelled)
        await target.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func peerResetMidRead(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port)
        let server = try #require(try await listener.accept())
        try await server.write(Array("partial".utf8))
        #expect(try await readExactly(7, from: stream) == Array("partial".utf8))
        let pending = Task { try await stream.read(maxBytes: 100) }
        await server.close(.abortive)
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await pending.value }
        #expect(error?.code == .connectionReset)
        #expect(error?.category == .network(.read))
        await stream.close(.graceful)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func readTimeoutLeavesTheStreamUsable(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port)
        let server = try #require(try await listener.accept())
        let deadline = fixture.clock.now + .milliseconds(200)
        let error = await #expect(throws: HTTPCoreError.self) {
            async let read = stream.read(maxBytes: 10, deadline: deadline)
            try await fixture.letTimePass(.milliseconds(200))
            _ = try await read
        }
        #expect(error?.code == .readTimeout)
        try await server.write([42])
        #expect(try await stream.read(maxBytes: 10) == [42])
        await stream.close(.graceful)
        await server.close(.graceful)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func writeBackpressureAgainstASlowReader(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port)
        let server = try #require(try await listener.accept())
        // Nobody reads: 64 MiB cannot all be accepted, so the write waits until its deadline.
        let big = [UInt8](repeating: 7, count: 64 << 20)
        let deadline = fixture.clock.now + .milliseconds(300)
        let error = await #expect(throws: HTTPCoreError.self) {
            async let write: Void = stream.write(big, deadline: deadline)
            try await fixture.letTimePass(.milliseconds(300), afterTimers: 1)
            try await write
        }
        #expect(error?.code == .writeTimeout)
        await stream.close(.abortive)
        await server.close(.abortive)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func readAndWriteCancellation(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port)
        let server = try #require(try await listener.accept())

        let read = Task { try await stream.read(maxBytes: 10) }
        try await Task.sleep(for: .milliseconds(20))
        read.cancel()
        let readError = await #expect(throws: HTTPCoreError.self) { _ = try await read.value }
        #expect(readError?.code == .cancelled)
        // No byte was lost: the stream still reads what comes next.
        try await server.write([1, 2, 3])
        #expect(try await readExactly(3, from: stream) == [1, 2, 3])

        let write = Task { try await stream.write([UInt8](repeating: 1, count: 64 << 20)) }
        try await Task.sleep(for: .milliseconds(20))
        write.cancel()
        let writeError = await #expect(throws: HTTPCoreError.self) { try await write.value }
        #expect(writeError?.code == .cancelled)
        await stream.close(.abortive)
        await server.close(.abortive)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func closeWithAPendingRead(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port)
        let server = try #require(try await listener.accept())
        let read = Task { try await stream.read(maxBytes: 10) }
        try await Task.sleep(for: .milliseconds(20))
        await stream.close(.graceful)
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await read.value }
        #expect(error?.code == .connectionClosed)
        // The peer sees an orderly end.
        #expect(try await server.read(maxBytes: 10) == nil)
        await server.close(.graceful)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func localAddressBind(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port, options: ConnectOptions(localAddress: "127.0.0.2"))
        let server = try #require(try await listener.accept())
        if case .inet(let host, _)? = stream.info.localAddress { #expect(host == "127.0.0.2") } else { Issue.record("no local address") }
        if case .inet(let host, _)? = server.info.remoteAddress { #expect(host == "127.0.0.2") } else { Issue.record("no remote address") }
        await stream.close(.graceful)
        await server.close(.graceful)
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func socketOptionsApplied(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let keepIdle = SocketOption(level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE, value: 42)
        let options = ConnectOptions(socketOptions: [.noDelay, .keepAlive, keepIdle])
        if let mock = fixture.backend as? MockNetworkBackend {
            mock.expectConnect(script: [])
            _ = try await fixture.connect(port: 80, options: options)
            #expect(mock.connectRecords.first?.options.socketOptions == [.noDelay, .keepAlive, keepIdle])
            return
        }
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.connect(port: port, options: options)
        #expect(await fixture.option(stream, level: Int32(IPPROTO_TCP), name: TCP_NODELAY) == 1)
        #expect(await fixture.option(stream, level: SOL_SOCKET, name: SO_KEEPALIVE) == 1)
        #expect(await fixture.option(stream, level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE) == 42)
        let plain = try await fixture.connect(port: port, options: ConnectOptions(socketOptions: []))
        #expect(await fixture.option(plain, level: Int32(IPPROTO_TCP), name: TCP_NODELAY) == 0)
        await stream.close(.graceful)
        await plain.close(.graceful)
        await listener.close()
        await fixture.shutdown()
    }
}

/// A TCP port on 127.0.0.1 bound by a socket that never listens, so connects are refused.
struct ClosedPort {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw HTTPCoreError(.connectFailed, "bind failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { Glibc.close(fd) }
}

/// A TCP port on 127.0.0.1 whose SYNs go unanswered: a listener with a backlog of one
/// whose accept queue is filled and never drained, so the kernel drops further SYNs and
/// a connect hangs until its timeout. Loopback only; on the mock, a scripted hang.
struct BlackHole: Sendable {
    let port: Int
    private let fd: Int32
    private let fillers: [Int32]

    static func make(_ fixture: BackendFixture) async throws -> BlackHole {
        if let mock = fixture.backend as? MockNetworkBackend {
            mock.expectConnect(.hang)
            return BlackHole(port: 1, fd: -1, fillers: [])
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listen(fd, 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the accept queue with non-blocking connects that are never accepted.
        var fillers: [Int32] = []
        for _ in 0..<8 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) } }
            fillers.append(filler)
        }
        try await Task.sleep(for: .milliseconds(50))
        return BlackHole(port: port, fd: fd, fillers: fillers)
    }

    func close() async {
        for filler in fillers { Glibc.close(filler) }
        if fd >= 0 { Glibc.close(fd) }
    }
}
