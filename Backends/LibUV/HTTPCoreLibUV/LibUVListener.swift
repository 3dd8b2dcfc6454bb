public import HTTPCore

/// A listening TCP or Unix socket on one loop. Accepted streams live on the same loop.
public final class LibUVListener: NetworkListener {
    let core: UVListenerCore
    public let localAddress: SocketAddress

    init(core: UVListenerCore, localAddress: SocketAddress) {
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

/// Loop-side state of a listener: accepted streams not yet taken, and who waits.
final class UVListenerCore: LoopListenerCore, @unchecked Sendable {
    // @unchecked: all state is touched only on `loop`'s thread.
    let loop: UVLoop
    let socket: UVSocket
    private let clock: any HTTPClock
    private let socketOptions: [SocketOption]
    private var queue = AcceptQueue<LibUVStream>()

    init(socket: UVSocket, clock: any HTTPClock, socketOptions: [SocketOption]) {
        loop = socket.loop
        self.socket = socket
        self.clock = clock
        self.socketOptions = socketOptions
        socket.onConnection = { [unowned self] status in incoming(status) }
        socket.onClose = { [self] in queue.close() }
    }

    private func incoming(_ status: Int32) {
        guard status == 0 else { return queue.fail(UVStatus.error(status, during: .connect)) }
        do {
            let client = try UVSocket(kind: socket.kind, loop: loop)
            try socket.accept(into: client)
            if client.kind == .tcp { for option in socketOptions { try? client.setOption(option) } }
            queue.offer(LibUVStream(core: UVStreamCore(socket: client, clock: clock)))
        } catch {
            queue.fail(error)
        }
    }

    func onLoop(_ body: @escaping @Sendable () -> Void) { loop.execute(body) }

    func accept(_ next: Waiter<LibUVStream?>) { queue.accept(next) }

    func acceptCancelled(_ cancelled: Waiter<LibUVStream?>) { queue.cancel(cancelled) }

    func close() {
        guard !queue.isClosed else { return }
        queue.close()
        socket.close(reset: false)
    }
}
