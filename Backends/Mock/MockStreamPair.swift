public import HTTPCore

/// Two connected in-memory streams, client end and server end, with no sockets, so a real
/// peer (a TLS server, an HTTP/2 server session, the project's own server) can run against
/// the code under test in the same process.
///
/// Each direction is a bounded pipe: a write waits while `capacity` bytes sit unread, so
/// backpressure behaves as over TCP. A graceful close lets the peer drain and then read
/// EOF; an abortive close makes the peer's reads and writes fail with `.connectionReset`.
public enum MockStreamPair {
    public static func make(
        clock: any HTTPClock = SystemClock(),
        capacity: Int = 256 * 1024,
        clientAddress: SocketAddress = .inet(host: "127.0.0.1", port: 50000),
        serverAddress: SocketAddress = .inet(host: "127.0.0.1", port: 443)
    ) -> (client: MockPipeStream, server: MockPipeStream) {
        let toServer = MockPipe(capacity: capacity)
        let toClient = MockPipe(capacity: capacity)
        let client = MockPipeStream(
            incoming: toClient, outgoing: toServer, clock: clock,
            info: NetworkStreamInfo(localAddress: clientAddress, remoteAddress: serverAddress)
        )
        let server = MockPipeStream(
            incoming: toServer, outgoing: toClient, clock: clock,
            info: NetworkStreamInfo(localAddress: serverAddress, remoteAddress: clientAddress)
        )
        return (client, server)
    }
}

/// One end of a `MockStreamPair`.
public final class MockPipeStream: NetworkStream {
    private let incoming: MockPipe
    private let outgoing: MockPipe
    private let clock: any HTTPClock
    public let info: NetworkStreamInfo
    private let closed = Locked(false)

    init(incoming: MockPipe, outgoing: MockPipe, clock: any HTTPClock, info: NetworkStreamInfo) {
        self.incoming = incoming
        self.outgoing = outgoing
        self.clock = clock
        self.info = info
    }

    public var isReadable: Bool { incoming.isReadable }
    public var isClosed: Bool { closed.value }

    public func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        try await incoming.read(maxBytes: maxBytes, deadline: deadline, clock: clock)
    }

    public func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        try await outgoing.write(bytes, deadline: deadline, clock: clock)
    }

    public func close(_ mode: CloseMode) async {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        outgoing.closeWriter(mode)
        incoming.closeReader(mode)
    }
}

/// A bounded byte queue with one reader and one writer.
final class MockPipe: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var start = 0
        var writerClosed: CloseMode?
        var readerClosed: CloseMode?
        var reader: Waiter<Void>?
        var writer: Waiter<Void>?
        var unread: Int { buffer.count - start }
    }

    private let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) { self.capacity = capacity }

    var isReadable: Bool { state.withLock { $0.unread > 0 || $0.writerClosed != nil } }

    func read(maxBytes: Int, deadline: HTTPInstant?, clock: any HTTPClock) async throws -> [UInt8]? {
        while true {
            let outcome: Result<[UInt8]?, HTTPCoreError>? = state.withLock { state in
                if state.readerClosed != nil { return .failure(HTTPCoreError(.connectionClosed, "the stream was closed")) }
                if state.writerClosed == .abortive { return .failure(HTTPCoreError(.connectionReset, "the peer reset the stream")) }
                if state.unread > 0 {
                    let end = state.start + min(maxBytes, state.unread)
                    let chunk = Array(state.buffer[state.start..<end])
                    state.start = end
                    if state.start == state.buffer.count {
                        state.buffer.removeAll(keepingCapacity: true)
                        state.start = 0
                    } else if state.start > 64 * 1024, state.start * 2 > state.buffer.count {
                        state.buffer.removeFirst(state.start)
                        state.start = 0
                    }
                    state.writer?.resume(returning: ())
                    state.writer = nil
                    return .success(chunk)
                }
                if state.writerClosed == .graceful { return .success(nil) }
                return nil
            }
            if let outcome { return try outcome.get() }
            try await waitForChange(deadline: deadline, clock: clock, isReader: true)
        }
    }

    func write(_ bytes: [UInt8], deadline: HTTPInstant?, clock: any HTTPClock) async throws {
        var remaining = bytes[...]
        while true {
            let failure: HTTPCoreError? = state.withLock { state in
                if state.writerClosed != nil { return HTTPCoreError(.connectionClosed, "the stream was closed") }
                if state.readerClosed != nil { return HTTPCoreError(.connectionReset, "the peer closed the stream") }
                let room = capacity - state.unread
                if room > 0 {
                    let count = min(room, remaining.count)
                    state.buffer.append(contentsOf: remaining.prefix(count))
                    remaining = remaining.dropFirst(count)
                    state.reader?.resume(returning: ())
                    state.reader = nil
                }
                return nil
            }
            if let failure { throw failure }
            if remaining.isEmpty { return }
            try await waitForChange(deadline: deadline, clock: clock, isReader: false)
        }
    }

    /// Waits until the other side moves (or the deadline passes, or the task is cancelled).
    private func waitForChange(deadline: HTTPInstant?, clock: any HTTPClock, isReader: Bool) async throws {
        let waiter = Waiter<Void>()
        let timeout = isReader
            ? HTTPCoreError(.readTimeout, "no data before the read deadline")
            : HTTPCoreError(.writeTimeout, "the peer did not read before the write deadline")
        let timer = DeadlineTimer(clock: clock, deadline: deadline) { waiter.resume(throwing: timeout) }
        defer { timer.cancel() }
        let ready = state.withLock { state -> Bool in
            let changed = isReader
                ? state.unread > 0 || state.writerClosed != nil || state.readerClosed != nil
                : state.unread < capacity || state.writerClosed != nil || state.readerClosed != nil
            if changed { return true }
            if isReader { state.reader = waiter } else { state.writer = waiter }
            return false
        }
        if ready { return }
        try await waiter.wait()
    }

    /// The writing end closes: the reader sees EOF (or a reset), and a write still waiting
    /// for room fails with `.connectionClosed`.
    func closeWriter(_ mode: CloseMode) {
        let (reader, writer) = state.withLock { state in
            if state.writerClosed == nil { state.writerClosed = mode }
            defer {
                state.reader = nil
                state.writer = nil
            }
            return (state.reader, state.writer)
        }
        reader?.resume(returning: ())
        writer?.resume(returning: ())
    }

    func closeReader(_ mode: CloseMode) {
        let (reader, writer) = state.withLock { state in
            if state.readerClosed == nil { state.readerClosed = mode }
            state.buffer = []
            state.start = 0
            defer {
                state.reader = nil
                state.writer = nil
            }
            return (state.reader, state.writer)
        }
        reader?.resume(returning: ())
        writer?.resume(returning: ())
    }
}
