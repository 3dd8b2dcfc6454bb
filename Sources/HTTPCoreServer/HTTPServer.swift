public import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreHTTP2
import HTTPCoreTLS
import HTTPTypes

/// An HTTP/1.1 and HTTP/2 server over any `NetworkBackend` (libuv, Dispatch, or the mock's
/// in-memory pairs in tests), with TLS and ALPN, or cleartext with HTTP/2 by prior
/// knowledge. Two ways to write the application:
///
/// - `.requests`: a handler per request, with the head, the streaming body and trailers,
///   answering through an `HTTPServerResponseWriter` (both directions at once).
/// - `.connections`: aioh2's API, a handler per connection looping on `receiveRequest()`.
///
///     let server = try await HTTPServer.start(backend: backend, configuration: .init()) { request, response in
///         let body = try await request.body.collect(upTo: 1 << 20)
///         try await response.respond(HTTPResponse(status: .ok), body: Array("hello, ".utf8) + body)
///     }
///     print(server.localAddress)
///     await server.shutdown()      // stop accepting, GOAWAY, let requests finish, close
///
/// The server never imports the pool, and the pool never imports it.
public final class HTTPServer: Sendable {
    public typealias RequestHandler = @Sendable (HTTPServerRequest, HTTPServerResponseWriter) async throws -> Void
    public typealias ConnectionHandler = @Sendable (any HTTPServerConnection) async throws -> Void

    public enum Handler: Sendable {
        case requests(RequestHandler)
        case connections(ConnectionHandler)
    }

    private struct State {
        var connections: [Int: any ServedConnection] = [:]
        /// Streams accepted but not yet speaking a protocol (TLS, preface), by id.
        var pending: [Int: any NetworkStream] = [:]
        var nextID = 0
        var draining = false
        var refused = 0
        var served = 0
        var statistics = Statistics()
    }

    public let configuration: Configuration
    public let localAddress: SocketAddress
    let backend: any NetworkBackend
    let listener: any NetworkListener
    let handler: Handler
    let limiter: ConcurrencyLimiter?
    private let state = Locked(State())
    private let acceptTask = Locked<Task<Void, Never>?>(nil)
    /// Resumed when the last connection has ended after `shutdown` began.
    private let drained = Waiter<Void>()

    /// Listens and starts accepting.
    public static func start(backend: any NetworkBackend, configuration: Configuration = Configuration(), handler: Handler) async throws -> HTTPServer {
        let listener: any NetworkListener = switch configuration.address {
        case .tcp(let host, let port): try await backend.listenTCP(host: host, port: port, options: ListenOptions())
        case .unix(let path): try await backend.listenUnix(path: path, options: ListenOptions())
        }
        let server = HTTPServer(backend: backend, configuration: configuration, listener: listener, handler: handler)
        server.acceptTask.withLock { $0 = Task { await server.acceptLoop() } }
        return server
    }

    /// `start` with a request/response handler.
    public static func start(
        backend: any NetworkBackend, configuration: Configuration = Configuration(), _ handler: @escaping RequestHandler
    ) async throws -> HTTPServer {
        try await start(backend: backend, configuration: configuration, handler: .requests(handler))
    }

    private init(backend: any NetworkBackend, configuration: Configuration, listener: any NetworkListener, handler: Handler) {
        self.backend = backend
        self.configuration = configuration
        self.listener = listener
        self.handler = handler
        localAddress = listener.localAddress
        limiter = configuration.concurrency.map(ConcurrencyLimiter.init(limit:))
    }

    /// Connections open now (speaking a protocol, or still in their handshake).
    public var connectionCount: Int { state.withLock { $0.connections.count + $0.pending.count } }
    /// Connections closed at once because `maxConnections` were open.
    public var refusedConnections: Int { state.withLock { $0.refused } }
    /// Requests being handled now (`concurrency` bounds it).
    public var requestsInFlight: Int { limiter?.inUse ?? 0 }
    /// How connections ended and which requests failed, since the server started.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Counts `event` and passes it to `configuration.onEvent`.
    private func report(_ event: Event) {
        state.withLock { state in
            switch event {
            case .connectionEnded(let end, _, _):
                state.statistics.connectionsEnded[end, default: 0] += 1
            case .requestFailed(let error as HTTPCoreError, _, _, _):
                state.statistics.requestsFailed[error.category, default: 0] += 1
            case .requestFailed:
                state.statistics.handlerErrors += 1
            case .connectionOpened, .requestStarted, .requestEnded, .streamsRefused:
                break // not counted: `connectionCount` and `requestsServed` are
            }
        }
        configuration.onEvent?(event)
    }

    /// Graceful shutdown: stops accepting, sends GOAWAY (HTTP/2) or closes idle
    /// connections (HTTP/1.1, after the response in flight), lets requests in flight finish
    /// until `timeouts.shutdownGrace`, then closes whatever is left. Cancelling the task
    /// that runs it ends the grace period at once (HTTPCoreServiceLifecycle's immediate
    /// shutdown on cancellation relies on this, and tests it).
    public func shutdown() async {
        let first = state.withLock { state -> Bool in
            defer { state.draining = true }
            return !state.draining
        }
        guard first else { return await waitDrained() }
        await listener.close()
        let (open, pending) = state.withLock { ($0.connections.values.map { $0 }, $0.pending.values.map { $0 }) }
        for stream in pending { await stream.close(.abortive) }
        for connection in open { await connection.drain() }
        let clock = backend.clock
        let grace = configuration.timeouts.shutdownGrace
        let timer = Task { [drained] in
            guard (try? await clock.sleep(until: clock.now + grace)) != nil else { return }
            drained.resume(returning: ())
        }
        checkDrained()
        await waitDrained()
        timer.cancel()
        let left = state.withLock { $0.connections.values.map { $0 } }
        for connection in left { await connection.close() }
        acceptTask.withLock { $0 }?.cancel()
    }

    private func waitDrained() async { _ = try? await drained.wait() }

    private func checkDrained() {
        let done = state.withLock { $0.draining && $0.connections.isEmpty && $0.pending.isEmpty }
        if done { drained.resume(returning: ()) }
    }

    // MARK: - Accepting

    private func acceptLoop() async {
        while true {
            let stream: (any NetworkStream)?
            do {
                stream = try await listener.accept()
            } catch {
                if state.withLock({ $0.draining }) || Task.isCancelled { return }
                continue // a failed accept (EMFILE, a reset in the backlog) ends one client only
            }
            guard let stream else { return }
            let accepted = backend.clock.now
            let id = state.withLock { state -> Int? in
                guard !state.draining else { return nil }
                if let max = configuration.maxConnections, state.connections.count + state.pending.count >= max {
                    state.refused += 1
                    return nil
                }
                state.nextID += 1
                state.pending[state.nextID] = stream
                return state.nextID
            }
            guard let id else {
                await stream.close(.abortive)
                if !state.withLock({ $0.draining }) { report(.connectionEnded(.refused, duration: .zero, connection: nil)) }
                continue
            }
            configuration.onEvent?(.connectionOpened(connection: id, remote: stream.info.remoteAddress))
            Task(executorPreference: stream.preferredTaskExecutor) { await self.serve(stream, id: id, accepted: accepted) }
        }
    }

    /// One connection from accept to close: the handshake, the protocol, the handler.
    private func serve(_ stream: any NetworkStream, id: Int, accepted: HTTPInstant) async {
        var end = ConnectionEnd.closed
        defer {
            state.withLock { state in
                state.pending[id] = nil
                state.connections[id] = nil
            }
            report(.connectionEnded(end, duration: accepted.duration(to: backend.clock.now), connection: id))
            checkDrained()
        }
        let connection: any ServedConnection
        switch await negotiate(stream) {
        case .speaking(let negotiated): connection = negotiated
        case .failed(let failure):
            end = failure
            return
        }
        let registered = state.withLock { state -> Bool in
            guard state.pending.removeValue(forKey: id) != nil, !state.draining else { return false }
            state.connections[id] = connection
            return true
        }
        guard registered else {
            await connection.close()
            end = .shutdown
            return
        }
        defer { end = connection.end }
        let idleWatch = (connection as? HTTP2ServerConnection).flatMap { http2 in
            configuration.timeouts.idle.map { idle in
                Task { [clock = backend.clock] in await http2.closeWhenIdle(for: idle, clock: clock) }
            }
        }
        defer { idleWatch?.cancel() }
        switch handler {
        case .connections(let handle):
            try? await handle(connection)
            await connection.finish()
        case .requests(let handle):
            await serveRequests(on: connection, id: id, handle)
        }
        reportRefusedStreams(on: connection, id: id)
    }

    /// `streamsRefused` for what `connection` refused since the last report (only when
    /// someone listens: reading the count takes the HTTP/2 connection's lock).
    private func reportRefusedStreams(on connection: any ServedConnection, id: Int) {
        guard let onEvent = configuration.onEvent else { return }
        let refused = connection.takeRefusedStreams()
        if refused > 0 { onEvent(.streamsRefused(count: refused, connection: id)) }
    }

    /// TLS (and ALPN), or the cleartext preface: which protocol the client speaks. A
    /// failure (and the stream closed) when the client failed or left before a protocol
    /// was chosen, with the cause.
    private func negotiate(_ accepted: any NetworkStream) async -> Negotiation {
        let clock = backend.clock
        let deadline = configuration.timeouts.requestHead.map { clock.now + $0 }
        var stream = accepted
        var isHTTP2 = false
        do {
            if let context = configuration.tls {
                let tls = try await TLSStream.accept(over: stream, context: context, clock: clock, deadline: deadline)
                isHTTP2 = tls.info.alpn == "h2" && configuration.http2
                stream = tls
            } else if configuration.http2 {
                guard let sniffed = try await PrefacedStream.sniff(stream, deadline: deadline) else {
                    await stream.close(.graceful)
                    return .failed(.closed)
                }
                (isHTTP2, stream) = sniffed
            }
            if isHTTP2 {
                var http2 = configuration.http2Connection
                http2.serverBodyTimeout = configuration.timeouts.body
                http2.serverWriteTimeout = configuration.timeouts.write
                if let concurrency = configuration.concurrency { http2.maxConcurrentStreams = UInt32(concurrency) }
                let connection = try await HTTP2Connection.accept(over: stream, origin: origin(for: stream), clock: clock, configuration: http2)
                return .speaking(HTTP2ServerConnection(connection))
            }
            return .speaking(HTTP1ServerConnection(stream: stream, clock: clock, limits: configuration.http1Limits, timeouts: configuration.timeouts))
        } catch {
            await stream.close(.abortive)
            let error = HTTPCoreError.from(error, default: .readFailed)
            // Any timeout here is the head's: TLS and the preface run under its deadline.
            if case .timeout = error.category { return .failed(.timeout(.requestHead)) }
            return .failed(ConnectionEnd(error))
        }
    }

    private enum Negotiation {
        case speaking(any ServedConnection)
        case failed(ConnectionEnd)
    }

    private func origin(for stream: any NetworkStream) -> Origin {
        let scheme = configuration.tls == nil ? "http" : "https"
        if case .inet(let host, let port)? = stream.info.localAddress {
            return Origin(scheme: scheme, host: host, port: port)
        }
        return Origin(scheme: scheme, host: "localhost", port: scheme == "https" ? 443 : 80)
    }

    // MARK: - Requests

    /// The request/response way: each request of the connection in a task of its own (one
    /// at a time over HTTP/1.1, as its streams arrive over HTTP/2), each holding one of the
    /// server's `concurrency` permits while its handler runs.
    ///
    /// A discarding group: a plain task group keeps every finished child until someone
    /// awaits it, which for a connection that lives for many requests is memory growing
    /// with each one (3 to 5 KiB a request; the soak of issue 18 found it).
    private func serveRequests(on connection: any ServedConnection, id: Int, _ respond: @escaping RequestHandler) async {
        await withDiscardingTaskGroup { group in
            while let (stream, head) = try? await connection.receiveRequest() {
                let request = HTTPServerRequest(
                    head: head, body: HTTPServerRequestBody(connection: connection, stream: stream),
                    version: connection.version, info: connection.info
                )
                let writer = HTTPServerResponseWriter(connection: connection, stream: stream)
                if connection.version == .http2 {
                    group.addTask { await self.handle(request, writer, on: connection, id: id, respond) }
                } else {
                    await handle(request, writer, on: connection, id: id, respond) // HTTP/1.1: the next request waits for this response
                }
            }
        }
        await connection.finish()
    }

    private func handle(_ request: HTTPServerRequest, _ writer: HTTPServerResponseWriter, on connection: any ServedConnection, id: Int, _ handle: RequestHandler) async {
        let start = backend.clock.now
        if let limiter {
            guard (try? await limiter.acquire()) != nil else {
                await writer.complete(failure: CancellationError())
                return
            }
        }
        defer { limiter?.release() }
        let number = state.withLock { state in
            state.served += 1
            return state.served
        }
        // Straight to `onEvent`, nothing counted: without a handler these cost nothing.
        let onEvent = configuration.onEvent
        onEvent?(.requestStarted(method: request.head.method, version: request.version, connection: id, request: number))
        var failed = false
        do {
            try await handle(request, writer)
            await writer.complete(failure: nil)
        } catch {
            failed = true
            report(.requestFailed(error, duration: start.duration(to: backend.clock.now), connection: id, request: number))
            await writer.complete(failure: error)
        }
        connection.exchangeEnded(writer.stream)
        if let onEvent {
            let (status, bytes) = writer.outcome
            onEvent(.requestEnded(RequestOutcome(
                method: request.head.method, version: request.version, status: status,
                duration: start.duration(to: backend.clock.now), responseBodyBytes: bytes, failed: failed,
                connection: id, request: number
            )))
            reportRefusedStreams(on: connection, id: id)
        }
    }

    /// Requests whose handler has run (or runs now), since the server started.
    public var requestsServed: Int { state.withLock { $0.served } }

    /// What the open HTTP/2 connections still hold of streams: those their machines track
    /// and the request ends kept for `receiveTrailers` (for tests and the soak: once the
    /// handlers are done, neither may stay above zero).
    package var http2StreamLeftovers: (tracked: Int, keptEnds: Int) {
        let open = state.withLock { $0.connections.values.compactMap { ($0 as? HTTP2ServerConnection)?.connection } }
        return open.reduce((0, 0)) { ($0.0 + $1.trackedStreamCount, $0.1 + $1.keptStreamEnds) }
    }
}
