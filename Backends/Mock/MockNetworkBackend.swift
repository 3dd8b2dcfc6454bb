public import HTTPCore

/// A `NetworkBackend` for tests: connects follow queued outcomes (a script, a refusal, a
/// failure, or a connect that hangs until its timeout on the manual clock), or reach a
/// `listenTCP`/`listenUnix` listener on the same backend through an in-memory pair.
///
/// Every connect is recorded with its host, port and options.
public final class MockNetworkBackend: NetworkBackend {
    /// What the next matching connect does.
    public enum ConnectOutcome: Sendable {
        case script([MockStep])
        case refuse
        case fail(HTTPCoreError.Code)
        /// Never completes: fails with `.connectTimeout` when the connect timeout passes on
        /// the clock, or with `.cancelled` when the task is cancelled.
        case hang
    }

    public struct ConnectRecord: Sendable, Hashable {
        public var host: String
        public var port: Int
        /// Set for Unix-socket connects (host is then empty and port 0).
        public var unixPath: String?
        public var options: ConnectOptions
    }

    private struct Expectation {
        var host: String?
        var port: Int?
        var outcome: ConnectOutcome
    }

    private struct State {
        var expectations: [Expectation] = []
        var records: [ConnectRecord] = []
        var streams: [MockScriptedStream] = []
        var listeners: [SocketAddress: MockListener] = [:]
    }

    public let manualClock: ManualClock
    public var clock: any HTTPClock { manualClock }
    private let state = Locked(State())

    public init(clock: ManualClock = ManualClock()) { manualClock = clock }

    /// Queues what a connect to `host`/`port` (any, when nil) does. Matching is FIFO.
    public func expectConnect(host: String? = nil, port: Int? = nil, _ outcome: ConnectOutcome) {
        state.withLock { $0.expectations.append(Expectation(host: host, port: port, outcome: outcome)) }
    }

    /// Shorthand for a connect that plays `steps`.
    public func expectConnect(host: String? = nil, port: Int? = nil, script steps: [MockStep]) {
        expectConnect(host: host, port: port, .script(steps))
    }

    public var connectRecords: [ConnectRecord] { state.withLock { $0.records } }
    /// The scripted streams handed out, in connect order.
    public var streams: [MockScriptedStream] { state.withLock { $0.streams } }
    /// Script failures across every stream.
    public var failures: [String] { streams.flatMap(\.failures) }
    /// Outcomes queued and not yet used.
    public var unusedExpectations: Int { state.withLock { $0.expectations.count } }

    public func connectTCP(host: String, port: Int, options: ConnectOptions) async throws -> any NetworkStream {
        try await connect(ConnectRecord(host: host, port: port, unixPath: nil, options: options), address: .inet(host: host, port: port))
    }

    public func connectUnixSocket(path: String, options: ConnectOptions) async throws -> any NetworkStream {
        try await connect(ConnectRecord(host: "", port: 0, unixPath: path, options: options), address: .unix(path: path))
    }

    public func listenTCP(host: String, port: Int, options: ListenOptions) async throws -> any NetworkListener {
        try listen(at: .inet(host: host, port: port == 0 ? Int.random(in: 20000...60000) : port))
    }

    public func listenUnix(path: String, options: ListenOptions) async throws -> any NetworkListener {
        try listen(at: .unix(path: path))
    }

    private func listen(at address: SocketAddress) throws(HTTPCoreError) -> MockListener {
        try state.withLock { state throws(HTTPCoreError) in
            if state.listeners[address] != nil { throw HTTPCoreError(.connectFailed, "address in use: \(address)") }
            let listener = MockListener(address: address, clock: manualClock) { [weak self] in
                self?.state.withLock { _ = $0.listeners.removeValue(forKey: address) }
            }
            state.listeners[address] = listener
            return listener
        }
    }

    private func connect(_ record: ConnectRecord, address: SocketAddress) async throws -> any NetworkStream {
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "connect cancelled") }
        let (listener, outcome) = state.withLock { state -> (MockListener?, ConnectOutcome?) in
            state.records.append(record)
            if let listener = state.listeners[address] { return (listener, nil) }
            let index = state.expectations.firstIndex {
                ($0.host == nil || $0.host == record.host) && ($0.port == nil || $0.port == record.port)
            }
            return (nil, index.map { state.expectations.remove(at: $0).outcome })
        }
        if let listener { return try listener.connect() }
        switch outcome {
        case .script(let steps):
            let stream = MockScriptedStream(
                steps, clock: manualClock,
                info: NetworkStreamInfo(localAddress: .inet(host: "127.0.0.1", port: 40000), remoteAddress: address)
            )
            state.withLock { $0.streams.append(stream) }
            return stream
        case .refuse:
            throw HTTPCoreError(.connectRefused, "connection refused by \(address)", processing: .notProcessed)
        case .fail(let code):
            throw HTTPCoreError(code, "scripted connect failure to \(address)", processing: .notProcessed)
        case .hang:
            let waiter = Waiter<Void>()
            let timer = DeadlineTimer(clock: manualClock, deadline: record.options.timeout.map { manualClock.now + $0 }) {
                waiter.resume(throwing: HTTPCoreError(.connectTimeout, "connect to \(address) timed out", processing: .notProcessed))
            }
            defer { timer.cancel() }
            try await waiter.wait()
            throw HTTPCoreError(.connectFailed, "unreachable")
        case nil:
            throw HTTPCoreError(.connectRefused, "mock: nothing scripted for a connect to \(address)", processing: .notProcessed)
        }
    }
}
