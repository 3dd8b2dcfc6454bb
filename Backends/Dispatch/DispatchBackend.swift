import Dispatch
public import HTTPCore

/// A `NetworkBackend` on the toolchain's libdispatch: non-blocking sockets whose
/// readiness arrives through DispatchSource read and write sources, each stream on one
/// of a few serial queues that double as Swift executors.
public final class DispatchBackend: NetworkBackend {
    public let clock: any HTTPClock = SystemClock()
    let loops: [DispatchLoop]
    private let nextLoop = Locked(0)

    public init(queueCount: Int = 2) {
        precondition(queueCount > 0, "a backend needs at least one queue")
        loops = (0..<queueCount).map { DispatchLoop(label: "httpcore.dispatch.\($0)") }
    }

    /// Each queue as a task executor. Work that runs with one as its preference and talks
    /// to connections on that queue never leaves it, and new streams it opens go to it.
    public var taskExecutors: [any TaskExecutor] { loops.map(\.taskExecutor) }

    /// The caller's own queue if it runs on one, else the next in turn.
    func pickLoop() -> DispatchLoop {
        if let current = loops.first(where: \.isOnLoop) { return current }
        let index = nextLoop.withLock { next in
            defer { next = (next + 1) % loops.count }
            return next
        }
        return loops[index]
    }

    /// Names go through `getaddrinfo` on a serial queue of its own: it blocks, so it stays
    /// off both the stream queues and Swift's cooperative pool. Not `DispatchQueue.global()`:
    /// on Linux Swift's global executor runs on those same worker threads (as many as
    /// cores), so a slow lookup there held a thread every task needed. A new serial queue
    /// targets the overcommitting root queue, which adds a thread rather than wait.
    public func resolve(host: String, port: Int) async throws -> [ResolvedAddress] {
        if let literal = ResolvedAddress(literal: host, port: port) { return [literal] }
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "resolving \(host) cancelled", processing: .notProcessed) }
        let waiter = Waiter<[ResolvedAddress]>()
        DispatchQueue(label: "httpcore.dispatch.resolve").async {
            waiter.resume(with: ResolvedAddress.answer(POSIXSocket.resolve(host: host, port: port), for: host))
        }
        return try await waiter.wait()
    }

    public func connectTCP(host: String, port: Int, options: ConnectOptions) async throws -> any NetworkStream {
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "connect cancelled", processing: .notProcessed) }
        let loop = pickLoop()
        let waiter = Waiter<Int32>()
        let connector = DispatchConnector(loop: loop, host: host, port: port, options: options, clock: clock, waiter: waiter)
        loop.execute { connector.start() }
        let fd = try await waiter.wait { loop.execute { connector.cancel() } }
        return DispatchStream(core: DispatchStreamCore(fd: fd, loop: loop, isTCP: true, clock: clock))
    }

    public func connectUnixSocket(path: String, options: ConnectOptions) async throws -> any NetworkStream {
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "connect cancelled", processing: .notProcessed) }
        let loop = pickLoop()
        let address = try POSIXSocket.Address(unixPath: path)
        let fd = try POSIXSocket.makeSocket(family: address.family)
        do {
            // A Unix connect either completes or fails at once, or (backlog full) reports
            // EAGAIN, which is a refusal here.
            guard try POSIXSocket.startConnect(fd, address) else {
                throw HTTPCoreError(.connectRefused, "\(path) is not accepting connections", processing: .notProcessed)
            }
        } catch {
            POSIXSocket.close(fd)
            throw error
        }
        return DispatchStream(core: DispatchStreamCore(fd: fd, loop: loop, isTCP: false, clock: clock))
    }

    public func listenTCP(host: String, port: Int, options: ListenOptions) async throws -> any NetworkListener {
        let address = try POSIXSocket.Address(ip: host, port: port)
        let fd = try POSIXSocket.makeSocket(family: address.family)
        do {
            try POSIXSocket.setOption(fd, SocketOption(level: 1, name: 2, value: 1))  // SO_REUSEADDR
            try POSIXSocket.bind(fd, address)
            try POSIXSocket.listen(fd, backlog: options.backlog)
        } catch {
            POSIXSocket.close(fd)
            throw error
        }
        let loop = pickLoop()
        let core = DispatchListenerCore(fd: fd, isTCP: true, unixPath: nil, loop: loop, clock: clock, socketOptions: options.socketOptions)
        return DispatchListener(core: core, localAddress: POSIXSocket.localAddress(fd) ?? .inet(host: host, port: port))
    }

    public func listenUnix(path: String, options: ListenOptions) async throws -> any NetworkListener {
        let address = try POSIXSocket.Address(unixPath: path)
        let fd = try POSIXSocket.makeSocket(family: address.family)
        do {
            try POSIXSocket.bind(fd, address)
            try POSIXSocket.listen(fd, backlog: options.backlog)
        } catch {
            POSIXSocket.close(fd)
            throw error
        }
        let loop = pickLoop()
        let core = DispatchListenerCore(fd: fd, isTCP: false, unixPath: path, loop: loop, clock: clock, socketOptions: options.socketOptions)
        return DispatchListener(core: core, localAddress: .unix(path: path))
    }
}
