public import HTTPCore

/// A listener on a `MockNetworkBackend`: each connect to its address makes a
/// `MockStreamPair`, returns the client end, and queues the server end for `accept()`.
public final class MockListener: NetworkListener {
    private struct State {
        var accepted: [MockPipeStream] = []
        var acceptor: Waiter<Void>?
        var closed = false
    }

    public let localAddress: SocketAddress
    private let clock: any HTTPClock
    private let onClose: @Sendable () -> Void
    private let state = Locked(State())

    init(address: SocketAddress, clock: any HTTPClock, onClose: @escaping @Sendable () -> Void) {
        localAddress = address
        self.clock = clock
        self.onClose = onClose
    }

    func connect() throws(HTTPCoreError) -> MockPipeStream {
        let pair = MockStreamPair.make(clock: clock, clientAddress: .inet(host: "127.0.0.1", port: 40000), serverAddress: localAddress)
        let acceptor = try state.withLock { state throws(HTTPCoreError) in
            if state.closed { throw HTTPCoreError(.connectRefused, "listener at \(localAddress) is closed") }
            state.accepted.append(pair.server)
            defer { state.acceptor = nil }
            return state.acceptor
        }
        acceptor?.resume(returning: ())
        return pair.client
    }

    public func accept() async throws -> (any NetworkStream)? {
        while true {
            let waiter = Waiter<Void>()
            let ready = state.withLock { state -> MockPipeStream?? in
                if !state.accepted.isEmpty { return .some(state.accepted.removeFirst()) }
                if state.closed { return .some(nil) }
                state.acceptor = waiter
                return nil
            }
            if let ready { return ready }
            try await waiter.wait()
        }
    }

    public func close() async {
        let acceptor = state.withLock { state in
            state.closed = true
            defer { state.acceptor = nil }
            return state.acceptor
        }
        acceptor?.resume(returning: ())
        onClose()
    }
}
