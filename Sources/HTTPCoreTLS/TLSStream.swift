public import HTTPCore

/// TLS over any `NetworkStream`: a socket from any backend, the mock's in-memory pair, or
/// a proxy tunnel. OpenSSL runs between two memory BIOs, so this type owns all I/O and the
/// same code serves every transport.
///
/// Like every `NetworkStream`, one read and one write may run at once; several concurrent
/// writers are also safe (they queue in FIFO order, so records never interleave).
public final class TLSStream: NetworkStream {
    private struct Core {
        var machine = StateMachine()
        let engine: OpenSSLEngine
        var waiters: [Int: Waiter<Void>] = [:]
    }

    private let inner: any NetworkStream
    private let core: Locked<Core>
    private let clock: any HTTPClock
    public let info: NetworkStreamInfo
    /// True when the handshake resumed a cached session instead of running in full.
    public let sessionReused: Bool
    /// Server role: the name the client asked for in SNI, if any.
    public let requestedServerName: String?

    /// Ciphertext read from the inner stream at once: four full records.
    static let readChunk = 64 * 1024
    /// Plaintext encrypted per inner write, so a large write never buffers all its ciphertext.
    static let writeChunk = 64 * 1024
    /// How long a graceful close waits to hand close_notify to the inner stream.
    static let closeNotifyTimeout = Duration.seconds(1)

    private init(inner: any NetworkStream, engine: OpenSSLEngine, clock: any HTTPClock) {
        self.inner = inner
        self.clock = clock
        var info = inner.info
        info.alpn = engine.negotiatedProtocol
        info.tlsVersion = engine.version
        info.tlsCipher = engine.cipher
        info.peerCertificate = engine.peerCertificate
        self.info = info
        sessionReused = engine.sessionReused
        requestedServerName = engine.requestedServerName
        core = Locked(Core(engine: engine))
    }

    /// Runs a client handshake over `stream` and returns the TLS stream, or throws and
    /// closes `stream`.
    ///
    /// - Parameters:
    ///   - stream: the connected stream to run TLS over (a socket, a tunnel, a mock pair).
    ///   - host: the server's name or IP literal: the certificate must match it, and a
    ///     name goes into SNI.
    ///   - port: with `host`, the key for session resumption.
    ///   - context: a client context; its session cache is shared by every stream made
    ///     from it.
    ///   - clock: what `deadline` and `handshakeTimeout` are measured on (the backend's).
    ///   - deadline: caps the handshake (with the configuration's `handshakeTimeout`);
    ///     running out throws `.connectTimeout`.
    public static func connect(
        over stream: any NetworkStream,
        host: String,
        port: Int,
        context: TLSContext,
        clock: any HTTPClock = SystemClock(),
        deadline: HTTPInstant? = nil
    ) async throws(HTTPCoreError) -> TLSStream {
        guard context.configuration.role == .client else {
            await stream.close(.abortive)
            throw HTTPCoreError(.tlsInvalidConfiguration, "connect needs a client TLSConfiguration")
        }
        return try await handshake(over: stream, clock: clock, deadline: deadline, context: context) { () throws(HTTPCoreError) in
            try OpenSSLEngine(context: context.openSSL, host: host, port: port)
        }
    }

    /// Runs a server handshake over an accepted `stream`; throws and closes `stream` on failure.
    public static func accept(
        over stream: any NetworkStream,
        context: TLSContext,
        clock: any HTTPClock = SystemClock(),
        deadline: HTTPInstant? = nil
    ) async throws(HTTPCoreError) -> TLSStream {
        guard context.configuration.role == .server else {
            await stream.close(.abortive)
            throw HTTPCoreError(.tlsInvalidConfiguration, "accept needs a server TLSConfiguration")
        }
        return try await handshake(over: stream, clock: clock, deadline: deadline, context: context) { () throws(HTTPCoreError) in
            try OpenSSLEngine(context: context.openSSL, host: nil, port: nil)
        }
    }

    private static func handshake(
        over inner: any NetworkStream,
        clock: any HTTPClock,
        deadline: HTTPInstant?,
        context: TLSContext,
        makeEngine: () throws(HTTPCoreError) -> OpenSSLEngine
    ) async throws(HTTPCoreError) -> TLSStream {
        let deadline = clock.deadline(after: context.configuration.handshakeTimeout, capping: deadline)
        var alertSent = false
        do {
            let engine = try makeEngine()
            while true {
                let progress = engine.handshake()
                let output = engine.takeOutput()
                if !output.isEmpty { try await inner.write(output, deadline: deadline) }
                switch progress {
                case .done:
                    return TLSStream(inner: inner, engine: engine, clock: clock)
                case .failed(let error):
                    alertSent = !output.isEmpty
                    throw error
                case .wantInput:
                    guard let bytes = try await inner.read(maxBytes: readChunk, deadline: deadline) else {
                        throw HTTPCoreError(
                            .tlsHandshakeFailed, "the peer closed the connection during the TLS handshake",
                            processing: .notProcessed
                        )
                    }
                    engine.feed(bytes)
                }
            }
        } catch {
            var failure = HTTPCoreError.from(error, default: .tlsHandshakeFailed)
            if failure.code == .readTimeout || failure.code == .writeTimeout {
                failure = HTTPCoreError(.connectTimeout, "the TLS handshake did not finish in time", underlying: failure)
            }
            await inner.close(alertSent ? .graceful : .abortive)
            throw failure.with(processing: .notProcessed)
        }
    }

    // MARK: - NetworkStream

    public func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        while true {
            let (result, mustPump) = try core.withLock { core throws(HTTPCoreError) in
                if let error = core.machine.readError { throw error }
                let result = core.engine.read(maxBytes: maxBytes)
                if case .failed(let error) = result { core.machine.failed(error) }
                // Reading can produce output (a KeyUpdate reply, an alert).
                return (result, core.engine.pendingOutput > 0 && core.machine.tryAcquire())
            }
            if mustPump { await releasePump(deadline: deadline) }
            switch result {
            case .bytes(let bytes):
                return bytes
            case .closeNotify:
                return nil
            case .failed(let error):
                await inner.close(.abortive)
                throw error
            case .wantInput:
                guard let ciphertext = try await inner.read(maxBytes: Self.readChunk, deadline: deadline) else {
                    let error = HTTPCoreError(.tlsTruncated, "the peer closed the connection without TLS close_notify")
                    core.withLock { $0.machine.failed(error) }
                    throw error
                }
                core.withLock { $0.engine.feed(ciphertext) }
            }
        }
    }

    public func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        try await acquirePump()
        var offset = 0
        do {
            repeat {
                let end = min(bytes.count, offset + Self.writeChunk)
                let ciphertext = try core.withLock { core throws(HTTPCoreError) -> [UInt8] in
                    if let error = core.machine.writeError { throw error }
                    if let error = core.engine.write(bytes[offset..<end]) {
                        core.machine.failed(error)
                        throw error
                    }
                    return core.engine.takeOutput()
                }
                if !ciphertext.isEmpty { try await inner.write(ciphertext, deadline: deadline) }
                offset = end
            } while offset < bytes.count
        } catch {
            let failure = HTTPCoreError.from(error, default: .writeFailed)
            core.withLock { $0.machine.writeFailed(failure) }
            await releasePump(deadline: deadline)
            throw failure
        }
        await releasePump(deadline: deadline)
    }

    public func close(_ mode: CloseMode) async {
        let (action, waiters) = core.withLock { core in
            let action = core.machine.close(graceful: mode == .graceful)
            let ids = switch action {
            case .sendCloseNotify(let ids), .closeInner(let ids): ids
            }
            return (action, ids.compactMap { core.waiters.removeValue(forKey: $0) })
        }
        for waiter in waiters { waiter.resume(throwing: HTTPCoreError(.connectionClosed, "the TLS stream was closed")) }
        if case .sendCloseNotify = action {
            let closeNotify = core.withLock { core in
                core.engine.shutdown()
                return core.engine.takeOutput()
            }
            try? await inner.write(closeNotify, deadline: clock.now + Self.closeNotifyTimeout)
        }
        await inner.close(mode)
    }

    public var isReadable: Bool {
        let buffered = core.withLock { $0.engine.hasReadableInput || $0.machine.readError != nil }
        return buffered || inner.isReadable
    }

    public var preferredTaskExecutor: (any TaskExecutor)? { inner.preferredTaskExecutor }

    // MARK: - The output pump (see StateMachine)

    private func acquirePump() async throws {
        let (action, waiter) = core.withLock { core -> (StateMachine.AcquireAction, Waiter<Void>?) in
            let action = core.machine.acquire()
            guard case .wait(let id) = action else { return (action, nil) }
            let waiter = Waiter<Void>()
            core.waiters[id] = waiter
            return (action, waiter)
        }
        switch action {
        case .proceed:
            return
        case .fail(let error):
            throw error
        case .wait(let id):
            let core = self.core
            try await waiter!.wait {
                core.withLock { core in
                    if core.machine.cancelWait(id: id) { core.waiters[id] = nil }
                }
            }
        }
    }

    /// Sends whatever OpenSSL produced while we held the pump, then hands it on.
    private func releasePump(deadline: HTTPInstant?) async {
        while true {
            let (action, output, waiter) = core.withLock { core -> (StateMachine.ReleaseAction, [UInt8], Waiter<Void>?) in
                let action = core.machine.release(hasPendingOutput: core.engine.pendingOutput > 0)
                switch action {
                case .sendPending: return (action, core.engine.takeOutput(), nil)
                case .handOver(let id): return (action, [], core.waiters.removeValue(forKey: id))
                case .idle: return (action, [], nil)
                }
            }
            switch action {
            case .sendPending:
                do {
                    try await inner.write(output, deadline: deadline)
                } catch {
                    let failure = HTTPCoreError.from(error, default: .writeFailed)
                    core.withLock { $0.machine.writeFailed(failure) }
                }
            case .handOver:
                // A waiter cancelled this very moment did not take the pump: release again.
                if waiter?.resume(returning: ()) == true { return }
            case .idle:
                return
            }
        }
    }
}
