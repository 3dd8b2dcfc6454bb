public import HTTPCore

/// A `NetworkBackend` for tests: connects follow queued outcomes (a script, a refusal, a
/// failure, or a connect that hangs until its timeout on the manual clock), or reach a
/// `listenTCP`/`listenUnix` listener on the same backend through an in-memory pair.
///
/// Names resolve only as scripted (`scriptResolution`): the mock never asks real DNS, so
/// an unscripted name, `localhost` included, is `.hostNotFound`. A TCP connect to a name
/// with a scripted resolution races its addresses through `HappyEyeballs`, as the real
/// backends do; a connect to any other host is matched as given.
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

    /// What looking up a name gives.
    public enum Resolution: Sendable {
        /// These IP literals, in this order, each with the port asked for.
        case addresses([String])
        case failure(HTTPCoreError)
        /// Never answers: the caller's deadline or cancellation ends the wait.
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
        var resolutions: [String: Resolution] = [:]
        var lookups: [String] = []
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

    /// Makes every later lookup of `host` answer `resolution` (a name keeps its answer, as
    /// behind a resolver's cache). Scripted addresses must be IP literals.
    public func scriptResolution(host: String, _ resolution: Resolution) {
        if case .addresses(let addresses) = resolution {
            for address in addresses where IPAddressLiteral(address) == nil {
                preconditionFailure("mock: a scripted resolution must list IP literals, not \(address)")
            }
        }
        state.withLock { $0.resolutions[host] = resolution }
    }

    /// Shorthand for a name that resolves to `addresses` (IP literals, in resolver order).
    public func scriptResolution(host: String, addresses: [String]) {
        scriptResolution(host: host, .addresses(addresses))
    }

    /// The names looked up, in order (IP literals answer themselves and are not listed).
    public var lookups: [String] { state.withLock { $0.lookups } }

    public var connectRecords: [ConnectRecord] { state.withLock { $0.records } }
    /// The scripted streams handed out, in connect order.
    public var streams: [MockScriptedStream] { state.withLock { $0.streams } }
    /// Script failures across every stream.
    public var failures: [String] { streams.flatMap(\.failures) }
    /// Outcomes queued and not yet used.
    public var unusedExpectations: Int { state.withLock { $0.expectations.count } }

    public func resolve(host: String, port: Int) async throws -> [ResolvedAddress] {
        if let literal = ResolvedAddress(literal: host, port: port) { return [literal] }
        if Task.isCancelled { throw HTTPCoreError(.cancelled, "resolving \(host) cancelled", processing: .notProcessed) }
        let resolution = state.withLock { state in
            state.lookups.append(host)
            return state.resolutions[host]
        }
        switch resolution {
        case .addresses(let literals):
            var addresses: [ResolvedAddress] = []
            for address in literals.compactMap({ ResolvedAddress(literal: $0, port: port) }) where !addresses.contains(address) {
                addresses.append(address)
            }
            return try ResolvedAddress.answer(.success(addresses), for: host).get()
        case .failure(let error):
            throw error
        case .hang:
            // Nobody else holds the waiter: only cancellation ends the wait.
            return try await Waiter<[ResolvedAddress]>().wait()
        case nil:
            throw HTTPCoreError(.hostNotFound, "mock: no resolution scripted for \(host)", processing: .notProcessed)
        }
    }

    public func connectTCP(host: String, port: Int, options: ConnectOptions) async throws -> any NetworkStream {
        guard state.withLock({ $0.resolutions[host] != nil }) else {
            return try await connect(ConnectRecord(host: host, port: port, unixPath: nil, options: options), address: .inet(host: host, port: port))
        }
        let tracer = ConnectTracer(options, clock: manualClock)
        tracer.resolving(host)
        let addresses = try await resolve(host: host, port: port)
        tracer.resolved(host, addresses)
        return try await race(addresses, options: options)
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

    /// One connect attempt, matched against listeners and then expectations by exactly the
    /// host it names.
    func connect(_ record: ConnectRecord, address: SocketAddress) async throws -> any NetworkStream {
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
