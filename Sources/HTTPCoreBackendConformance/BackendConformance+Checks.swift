import HTTPCore
#if canImport(Glibc)
import Glibc
#endif

/// The checks themselves, one method each, named as `BackendConformance.Check`.
extension ConformanceFixture {
    func run() async throws {
        switch check {
        case .echoOverTCP: try await echoOverTCP()
        case .echoOverUnixSocket: try await echoOverUnixSocket()
        case .transfer64MiBEachWayWithChecksum: try await transfer64MiBEachWayWithChecksum()
        case .thousandConcurrentConnections: try await thousandConcurrentConnections()
        case .connectRefused: try await connectRefused()
        case .connectTimeout: try await connectTimeout()
        case .connectCancellation: try await connectCancellation()
        case .peerResetMidRead: try await peerResetMidRead()
        case .readTimeoutLeavesTheStreamUsable: try await readTimeoutLeavesTheStreamUsable()
        case .writeBackpressureAgainstASlowReader: try await writeBackpressureAgainstASlowReader()
        case .readAndWriteCancellation: try await readAndWriteCancellation()
        case .closeWithAPendingRead: try await closeWithAPendingRead()
        case .localAddressBind: try await localAddressBind()
        case .socketOptionsApplied: try await socketOptionsApplied()
        }
    }

    func echoOverTCP() async throws {
        let (listener, port) = try await listen()
        let server = startEchoServer(listener)
        let stream = try await connect(port: port)
        try await stream.write(Array("hello, backend".utf8))
        let echoed = try await readExactly(14, from: stream)
        try expect(echoed == Array("hello, backend".utf8), "echoed \(echoed)")
        if case .inet(let host, _)? = stream.info.remoteAddress { try expect(host == "127.0.0.1", "remote host \(host)") }
        await stream.close(.graceful)
        await listener.close()
        server.cancel()
    }

    func echoOverUnixSocket() async throws {
        let path = "/tmp/httpcore-conformance-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let listener = try await backend.listenUnix(path: path, options: ListenOptions())
        let server = startEchoServer(listener)
        let stream = try await backend.connectUnixSocket(path: path, options: ConnectOptions())
        try await stream.write(Array("over a unix socket".utf8))
        let echoed = try await readExactly(18, from: stream)
        try expect(echoed == Array("over a unix socket".utf8), "echoed \(echoed)")
        await stream.close(.graceful)
        await listener.close()
        server.cancel()
    }

    func transfer64MiBEachWayWithChecksum() async throws {
        let (listener, port) = try await listen()
        let chunk = 256 * 1024
        let chunks = 256 // 64 MiB
        let server = Task { () throws -> (TransferChecksum, TransferChecksum)? in
            guard let stream = try await listener.accept() else { return nil }
            // Receive 64 MiB, then send 64 MiB back.
            var received = TransferChecksum()
            while received.count < chunk * chunks, let bytes = try await stream.read(maxBytes: 1 << 20) { received.add(bytes) }
            var sent = TransferChecksum()
            for index in 0..<chunks {
                let bytes = TransferChecksum.chunk(index)
                sent.add(bytes)
                try await stream.write(bytes)
            }
            await stream.close(.graceful)
            return (received, sent)
        }
        let stream = try await connect(port: port)
        var sent = TransferChecksum()
        for index in 0..<chunks {
            let bytes = TransferChecksum.chunk(index)
            sent.add(bytes)
            try await stream.write(bytes)
        }
        var received = TransferChecksum()
        while let bytes = try await stream.read(maxBytes: 1 << 20) { received.add(bytes) }
        let (serverReceived, serverSent) = try require(try await server.value, "the listener accepted nothing")
        try expect(serverReceived == sent, "the server received \(serverReceived), the client sent \(sent)")
        try expect(received == serverSent, "the client received \(received), the server sent \(serverSent)")
        try expect(received.count == 64 << 20, "received \(received.count) bytes")
        await stream.close(.graceful)
        await listener.close()
    }

    func thousandConcurrentConnections() async throws {
        let (listener, port) = try await listen()
        let server = startEchoServer(listener)
        let echoed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let stream = try await connect(port: port)
                    let message = Array("connection \(index)".utf8)
                    try await stream.write(message)
                    let reply = try await readExactly(message.count, from: stream)
                    await stream.close(.graceful)
                    return reply == message
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        try expect(echoed == 1000, "\(echoed) of 1000 connections echoed")
        await listener.close()
        server.cancel()
    }

    func connectRefused() async throws {
        let closed = try ClosedPort()
        defer { closed.release() }
        subject.scripting?.expectConnect(backend, .refuse)
        let error = try await expectError("a connect to a closed port") { _ = try await connect(port: closed.port) }
        try expect(error.code == .connectRefused, "code \(error.code)")
        try expect(error.category == .network(.connect), "category \(error.category)")
        try expect(error.isSafeToRetry, "a refused connect is safe to retry")
    }

    func connectTimeout() async throws {
        let target = try await BlackHole.make(self)
        defer { target.close() }
        let error = try await expectError("a connect to a black hole") {
            async let attempt = connect(port: target.port, options: ConnectOptions(timeout: .milliseconds(300)))
            try await letTimePass(.milliseconds(300))
            _ = try await attempt
        }
        try expect(error.code == .connectTimeout, "code \(error.code)")
        try expect(error.category == .timeout(.connect), "category \(error.category)")
    }

    func connectCancellation() async throws {
        let target = try await BlackHole.make(self)
        defer { target.close() }
        let attempt = Task { try await connect(port: target.port, options: ConnectOptions(timeout: .seconds(60))) }
        try await waitForTimers(1)
        attempt.cancel()
        let error = try await expectError("a cancelled connect") { _ = try await attempt.value }
        try expect(error.code == .cancelled, "code \(error.code)")
    }

    func peerResetMidRead() async throws {
        let (listener, port) = try await listen()
        let stream = try await connect(port: port)
        let server = try require(try await listener.accept(), "the listener accepted nothing")
        try await server.write(Array("partial".utf8))
        let first = try await readExactly(7, from: stream)
        try expect(first == Array("partial".utf8), "read \(first)")
        let pending = Task { try await stream.read(maxBytes: 100) }
        await server.close(.abortive)
        let error = try await expectError("a read when the peer resets") { _ = try await pending.value }
        try expect(error.code == .connectionReset, "code \(error.code)")
        try expect(error.category == .network(.read), "category \(error.category)")
        await stream.close(.graceful)
        await listener.close()
    }

    func readTimeoutLeavesTheStreamUsable() async throws {
        let (listener, port) = try await listen()
        let stream = try await connect(port: port)
        let server = try require(try await listener.accept(), "the listener accepted nothing")
        let deadline = clock.now + .milliseconds(200)
        let error = try await expectError("a read past its deadline") {
            async let read = stream.read(maxBytes: 10, deadline: deadline)
            try await letTimePass(.milliseconds(200))
            _ = try await read
        }
        try expect(error.code == .readTimeout, "code \(error.code)")
        try await server.write([42])
        let after = try await stream.read(maxBytes: 10)
        try expect(after == [42], "read after the timeout: \(String(describing: after))")
        await stream.close(.graceful)
        await server.close(.graceful)
        await listener.close()
    }

    func writeBackpressureAgainstASlowReader() async throws {
        let (listener, port) = try await listen()
        let stream = try await connect(port: port)
        let server = try require(try await listener.accept(), "the listener accepted nothing")
        // Nobody reads: 64 MiB cannot all be accepted, so the write waits until its deadline.
        let big = [UInt8](repeating: 7, count: 64 << 20)
        let deadline = clock.now + .milliseconds(300)
        let error = try await expectError("a write nobody reads") {
            async let write: Void = stream.write(big, deadline: deadline)
            try await letTimePass(.milliseconds(300), afterTimers: 1)
            try await write
        }
        try expect(error.code == .writeTimeout, "code \(error.code)")
        await stream.close(.abortive)
        await server.close(.abortive)
        await listener.close()
    }

    func readAndWriteCancellation() async throws {
        let (listener, port) = try await listen()
        let stream = try await connect(port: port)
        let server = try require(try await listener.accept(), "the listener accepted nothing")

        let read = Task { try await stream.read(maxBytes: 10) }
        try await Task.sleep(for: .milliseconds(20))
        read.cancel()
        let readError = try await expectError("a cancelled read") { _ = try await read.value }
        try expect(readError.code == .cancelled, "read: code \(readError.code)")
        // No byte was lost: the stream still reads what comes next.
        try await server.write([1, 2, 3])
        let next = try await readExactly(3, from: stream)
        try expect(next == [1, 2, 3], "read after the cancelled read: \(next)")

        let write = Task { try await stream.write([UInt8](repeating: 1, count: 64 << 20)) }
        try await Task.sleep(for: .milliseconds(20))
        write.cancel()
        let writeError = try await expectError("a cancelled write") { try await write.value }
        try expect(writeError.code == .cancelled, "write: code \(writeError.code)")
        await stream.close(.abortive)
        await server.close(.abortive)
        await listener.close()
    }

    func closeWithAPendingRead() async throws {
        let (listener, port) = try await listen()
        let stream = try await connect(port: port)
        let server = try require(try await listener.accept(), "the listener accepted nothing")
        let read = Task { try await stream.read(maxBytes: 10) }
        try await Task.sleep(for: .milliseconds(20))
        await stream.close(.graceful)
        let error = try await expectError("a read pending at close") { _ = try await read.value }
        try expect(error.code == .connectionClosed, "code \(error.code)")
        // The peer sees an orderly end.
        let end = try await server.read(maxBytes: 10)
        try expect(end == nil, "the peer read \(String(describing: end)) instead of EOF")
        await server.close(.graceful)
        await listener.close()
    }

    func localAddressBind() async throws {
        let (listener, port) = try await listen()
        let stream = try await connect(port: port, options: ConnectOptions(localAddress: "127.0.0.2"))
        let server = try require(try await listener.accept(), "the listener accepted nothing")
        guard case .inet(let local, _)? = stream.info.localAddress else { throw failure("no local address") }
        try expect(local == "127.0.0.2", "local address \(local)")
        guard case .inet(let remote, _)? = server.info.remoteAddress else { throw failure("no remote address at the server") }
        try expect(remote == "127.0.0.2", "the server saw \(remote)")
        await stream.close(.graceful)
        await server.close(.graceful)
        await listener.close()
    }

    func socketOptionsApplied() async throws {
        let keepIdle = SocketOption(level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE, value: 42)
        let options = ConnectOptions(socketOptions: [.noDelay, .keepAlive, keepIdle])
        if let scripting = subject.scripting {
            scripting.expectConnect(backend, .silentPeer)
            _ = try await connect(port: 80, options: options)
            let recorded = scripting.connectOptions(backend).first?.socketOptions
            try expect(recorded == [.noDelay, .keepAlive, keepIdle], "recorded \(String(describing: recorded))")
            return
        }
        let option = try require(subject.socketOption, "a backend on real sockets needs `Subject.socketOption` for this check")
        let (listener, port) = try await listen()
        let stream = try await connect(port: port, options: options)
        let noDelay = await option(stream, Int32(IPPROTO_TCP), TCP_NODELAY)
        try expect(noDelay == 1, "TCP_NODELAY \(String(describing: noDelay))")
        let keepAlive = await option(stream, SOL_SOCKET, SO_KEEPALIVE)
        try expect(keepAlive == 1, "SO_KEEPALIVE \(String(describing: keepAlive))")
        let idle = await option(stream, Int32(IPPROTO_TCP), TCP_KEEPIDLE)
        try expect(idle == 42, "TCP_KEEPIDLE \(String(describing: idle))")
        let plain = try await connect(port: port, options: ConnectOptions(socketOptions: []))
        let plainNoDelay = await option(plain, Int32(IPPROTO_TCP), TCP_NODELAY)
        try expect(plainNoDelay == 0, "TCP_NODELAY without options: \(String(describing: plainNoDelay))")
        await stream.close(.graceful)
        await plain.close(.graceful)
        await listener.close()
    }

    func failure(_ message: String, line: UInt = #line) -> BackendConformanceFailure {
        BackendConformanceFailure(check: check, message: message, line: line)
    }
}
