public import HTTPCore

/// A `NetworkBackend` on libuv: a few loop threads, each a Swift executor, so connection
/// code runs where its socket's events arrive.
///
/// Connects resolve with `uv_getaddrinfo`, race addresses by Happy Eyeballs (RFC 8305),
/// apply socket options before connecting (TCP_NODELAY by default), and bind a local
/// address when asked. Call `shutdown()` when done: it closes every handle and joins the
/// loop threads.
public final class LibUVBackend: NetworkBackend {
    public static var defaultLoopCount: Int { onlineProcessorCount() }

    public let clock: any HTTPClock = SystemClock()
    let loops: [UVLoop]
    private let nextLoop = Locked(0)
    private let isShutDown = Locked(false)

    public init(loopCount: Int = LibUVBackend.defaultLoopCount) {
        precondition(loopCount > 0, "a backend needs at least one loop")
        ignoreSIGPIPE
        loops = (0..<loopCount).map { _ in UVLoop() }
    }

    /// Each loop thread as a task executor. Work that runs with one as its preference
    /// (`withTaskExecutorPreference`, `addTask(executorPreference:)`) and talks to
    /// connections on that loop never leaves the thread, and new streams it opens go to
    /// that loop.
    public var taskExecutors: [any TaskExecutor] { loops.map(\.taskExecutor) }

    /// The loop a new stream goes to: the caller's own loop if it runs on one (no hop
    /// between the caller and its connection), else the next in turn.
    func pickLoop() -> UVLoop {
        if let current = loops.first(where: \.isOnLoop) { return current }
        let index = nextLoop.withLock { next in
            defer { next = (next + 1) % loops.count }
            return next
        }
        return loops[index]
    }

    /// Names go through `uv_getaddrinfo`, which runs on libuv's thread pool and answers on
    /// a loop thread.
    public func resolve(host: String, port: Int) async throws -> [ResolvedAddress] {
        if let literal = ResolvedAddress(literal: host, port: port) { return [literal] }
        try refuseAfterShutdown()
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "resolving \(host) cancelled", processing: .notProcessed) }
        let loop = pickLoop()
        let waiter = Waiter<[ResolvedAddress]>()
        loop.execute {
            if loop.isShuttingDown {
                waiter.resume(throwing: HTTPCoreError(.connectionClosed, "the backend is shut down", processing: .notProcessed))
                return
            }
            UVResolver.resolve(host: host, port: port, loop: loop) { result in
                waiter.resume(with: ResolvedAddress.answer(result, for: host))
            }
        }
        return try await waiter.wait()
    }

    public func connectTCP(host: String, port: Int, options: ConnectOptions) async throws -> any NetworkStream {
        try refuseAfterShutdown()
        let loop = pickLoop()
        let waiter = Waiter<UVSocket>()
        let connector = UVConnector(loop: loop, host: host, port: port, options: options, clock: clock, waiter: waiter)
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "connect cancelled", processing: .notProcessed) }
        loop.execute { connector.start() }
        let socket = try await waiter.wait { loop.execute { connector.cancel() } }
        return try await stream(on: socket)
    }

    public func connectUnixSocket(path: String, options: ConnectOptions) async throws -> any NetworkStream {
        try refuseAfterShutdown()
        let loop = pickLoop()
        let waiter = Waiter<UVSocket>()
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "connect cancelled", processing: .notProcessed) }
        loop.execute {
            let socket: UVSocket
            do {
                if loop.isShuttingDown { throw HTTPCoreError(.connectionClosed, "the backend is shut down", processing: .notProcessed) }
                socket = try UVSocket(kind: .pipe, loop: loop)
            } catch {
                waiter.resume(throwing: error)
                return
            }
            socket.connectPipe(path: path) { error in
                if let error {
                    socket.close(reset: false)
                    waiter.resume(throwing: error)
                } else if !waiter.resume(returning: socket) {
                    socket.close(reset: false)
                }
            }
        }
        let socket = try await waiter.wait()
        return try await stream(on: socket)
    }

    /// Wraps a connected socket; the core must be made on its loop.
    private func stream(on socket: UVSocket) async throws -> LibUVStream {
        let clock = clock
        return try await onLoop(socket.loop) { LibUVStream(core: UVStreamCore(socket: socket, clock: clock)) }
    }

    public func listenTCP(host: String, port: Int, options: ListenOptions) async throws -> any NetworkListener {
        try await listen(options: options) { loop throws(HTTPCoreError) in
            let socket = try UVSocket(tcpFor: host.contains(":"), loop: loop)
            try socket.setOption(SocketOption(level: 1, name: 2, value: 1))  // SO_REUSEADDR
            try socket.bind(ip: host, port: port)
            return socket
        }
    }

    public func listenUnix(path: String, options: ListenOptions) async throws -> any NetworkListener {
        try await listen(options: options) { loop throws(HTTPCoreError) in
            let socket = try UVSocket(kind: .pipe, loop: loop)
            try socket.bindPipe(path: path)
            return socket
        }
    }

    private func listen(options: ListenOptions, _ makeSocket: @escaping @Sendable (UVLoop) throws(HTTPCoreError) -> UVSocket) async throws -> any NetworkListener {
        try refuseAfterShutdown()
        let loop = pickLoop()
        let clock = clock
        return try await onLoop(loop) { () throws(HTTPCoreError) -> LibUVListener in
            if loop.isShuttingDown { throw HTTPCoreError(.connectionClosed, "the backend is shut down") }
            let socket = try makeSocket(loop)
            do throws(HTTPCoreError) {
                try socket.listen(backlog: options.backlog)
            } catch {
                socket.close(reset: false)
                throw error
            }
            let address = socket.localAddress ?? .inet(host: "?", port: 0)
            return LibUVListener(core: UVListenerCore(socket: socket, clock: clock, socketOptions: options.socketOptions), localAddress: address)
        }
    }

    /// Closes every handle on every loop, resuming whoever waits, and joins the threads.
    /// Later connects and listens fail with `.connectionClosed`; a second call does nothing.
    public func shutdown() async {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        for loop in loops { await loop.shutdown() }
    }

    private func refuseAfterShutdown() throws(HTTPCoreError) {
        if isShutDown.value { throw HTTPCoreError(.connectionClosed, "the backend is shut down", processing: .notProcessed) }
    }

    private func onLoop<T: Sendable>(_ loop: UVLoop, _ body: @escaping @Sendable () throws(HTTPCoreError) -> T) async throws -> T {
        let waiter = Waiter<T>()
        loop.execute {
            do { waiter.resume(returning: try body()) } catch { waiter.resume(throwing: error) }
        }
        return try await waiter.wait()
    }
}
