import Dispatch
public import HTTPCore

/// A listening TCP or Unix socket whose accepts arrive through a DispatchSource.
/// Accepted streams share the listener's queue.
public final class DispatchListener: NetworkListener {
    let core: DispatchListenerCore
    public let localAddress: SocketAddress

    init(core: DispatchListenerCore, localAddress: SocketAddress) {
        self.core = core
        self.localAddress = localAddress
    }

    deinit {
        let core = core
        core.onLoop { core.close() }
    }

    public func accept() async throws -> (any NetworkStream)? {
        try await core.acceptOnLoop()
    }

    public func close() async {
        await core.closeOnLoop()
    }
}

/// Queue-side state of a listener. Queue-confined.
final class DispatchListenerCore: LoopListenerCore, @unchecked Sendable {
    // @unchecked: all state is touched only on `loop.queue`.
    let loop: DispatchLoop
    private let fd: Int32
    private let isTCP: Bool
    private let unixPath: String?
    private let clock: any HTTPClock
    private let socketOptions: [SocketOption]
    private let source: DispatchSourceRead
    private var queue = AcceptQueue<DispatchStream>()

    init(fd: Int32, isTCP: Bool, unixPath: String?, loop: DispatchLoop, clock: any HTTPClock, socketOptions: [SocketOption]) {
        self.fd = fd
        self.isTCP = isTCP
        self.unixPath = unixPath
        self.loop = loop
        self.clock = clock
        self.socketOptions = socketOptions
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [unowned self] in incoming() }
        source.setCancelHandler { POSIXSocket.close(fd) }
        source.resume()
    }

    private func incoming() {
        while true {
            let client: Int32?
            do {
                client = try POSIXSocket.accept(fd)
            } catch {
                return queue.fail(error)
            }
            guard let client else { return }
            if isTCP { for option in socketOptions { try? POSIXSocket.setOption(client, option) } }
            queue.offer(DispatchStream(core: DispatchStreamCore(fd: client, loop: loop, isTCP: isTCP, clock: clock)))
        }
    }

    func onLoop(_ body: @escaping @Sendable () -> Void) { loop.execute(body) }

    func accept(_ next: Waiter<DispatchStream?>) { queue.accept(next) }

    func acceptCancelled(_ cancelled: Waiter<DispatchStream?>) { queue.cancel(cancelled) }

    func close() {
        guard !queue.isClosed else { return }
        queue.close()
        source.cancel()
        if let unixPath { POSIXSocket.unlink(unixPath) }
    }
}
