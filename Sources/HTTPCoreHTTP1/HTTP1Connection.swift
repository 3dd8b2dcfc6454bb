public import HTTPCore
public import HTTPTypes

/// An HTTP/1.1 client connection over any `NetworkStream`: one request at a time,
/// keep-alive reuse, chunked bodies both ways, 1xx skipped (100-continue honoured),
/// trailers, close-delimited bodies.
///
/// Full duplex: `send` returns at the response head while a streamed request body is still
/// uploading in a task of its own, so a server that answers as the body arrives (an echo)
/// works chunk by chunk. An error response (or `Connection: close`) met mid-upload stops
/// the upload, RFC 9112 §9.5; the connection is reused only when the body was fully
/// written and the response fully read. In-memory bodies are written before reading, with
/// no task.
///
/// The logic lives in `StateMachine`; this shell writes and reads. Any failure, a
/// cancelled task, or a body dropped before its end closes the connection and stops the
/// upload: a half-read response must never be mistaken for the next one.
public final class HTTP1Connection: Connection {
    public struct Configuration: Sendable {
        public var limits: HTTP1Limits
        /// An idle connection older than this reports `hasExpired`; nil keeps it forever.
        public var keepAliveExpiry: Duration?
        /// The most bytes asked of the stream per read.
        public var readSize: Int
        /// For a connection to a forward proxy (RFC 9112 §3.2.2): request targets in
        /// absolute form, `http://example.com/path`, so the proxy knows where to go.
        public var absoluteFormTarget: Bool
        /// Fields added to every request head, replacing any the request has under the same
        /// name: `Proxy-Authorization` for a forward proxy, which takes it off before
        /// forwarding. Never set this on a connection to an origin or through a tunnel.
        public var additionalFields: HTTPFields

        public init(
            limits: HTTP1Limits = HTTP1Limits(),
            keepAliveExpiry: Duration? = .seconds(5),
            readSize: Int = 64 * 1024,
            absoluteFormTarget: Bool = false,
            additionalFields: HTTPFields = [:]
        ) {
            self.limits = limits
            self.keepAliveExpiry = keepAliveExpiry
            self.readSize = readSize
            self.absoluteFormTarget = absoluteFormTarget
            self.additionalFields = additionalFields
        }
    }

    public let origin: Origin
    let stream: any NetworkStream
    let clock: any HTTPClock
    let configuration: Configuration
    let state: Locked<StateMachine>
    /// The exchange whose streamed body is uploading, so `close()` can stop it: a body
    /// source that never yields would otherwise keep its task alive past the connection.
    let uploading = Locked<HTTP1Exchange?>(nil)

    public init(stream: any NetworkStream, origin: Origin, clock: any HTTPClock, configuration: Configuration = Configuration()) {
        self.stream = stream
        self.origin = origin
        self.clock = clock
        self.configuration = configuration
        state = Locked(StateMachine(now: clock.now, limits: configuration.limits))
    }

    // MARK: - Connection

    public func canHandle(_ origin: Origin) -> Bool { origin == self.origin }

    public var isAvailable: Bool { state.withLock { $0.isIdle } && !stream.isReadable }

    public var isIdle: Bool { state.withLock { $0.isIdle } }

    public var isClosed: Bool { state.withLock { $0.isClosed } }

    public var requestCount: Int { state.withLock { $0.requestCount } }

    public var streamInfo: NetworkStreamInfo { stream.info }

    /// Open: it takes the next request once the one in flight is done.
    public var acceptsNewRequests: Bool { !isClosed }

    /// HTTP/1.1, whatever version the peer's responses name: that is what it sends.
    public var version: HTTPVersion { .http1_1 }

    /// One request at a time (no pipelining).
    public var requestLimit: Int? { 1 }

    /// Reports nothing: the limit is always 1, and it stops accepting requests only by
    /// closing, which the pool finds through `acceptsNewRequests`.
    public func observe(_ observer: @escaping @Sendable (ConnectionChange) -> Void) {}

    /// The stream's executor (a libuv loop, or nil).
    public var preferredTaskExecutor: (any TaskExecutor)? { stream.preferredTaskExecutor }

    public func hasExpired(now: HTTPInstant) -> Bool {
        guard let since = state.withLock({ $0.idleSince }) else { return false }
        if let expiry = configuration.keepAliveExpiry, since.duration(to: now) >= expiry { return true }
        return stream.isReadable
    }

    public func close() async {
        let closing = state.withLock { $0.close() }
        uploading.withLock { $0 }?.stopUpload()
        if closing { await stream.close(.graceful) }
    }

    public var description: String {
        let (label, count) = state.withLock { machine -> (String, Int) in
            let label = switch machine.state {
            case .idle: "IDLE"
            case .active: "ACTIVE"
            case .closed: "CLOSED"
            }
            return (label, machine.requestCount)
        }
        return "<HTTP1Connection ['\(origin)', HTTP/1.1, \(label), Request Count: \(count)]>"
    }

    // MARK: - Shared by sending and the body source

    /// Reads until the state machine has something other than "read more" for `exchange`,
    /// waiting for the upload when the response ended first.
    func nextEvent(_ exchange: HTTP1Exchange) async throws -> StateMachine.ReadAction {
        while true {
            let action = try state.withLock { machine throws(HTTPCoreError) in
                try machine.nextEvent(exchange.id, now: clock.now)
            }
            switch action {
            case .readMore:
                break
            case .awaitUpload:
                try await exchange.awaitUpload(clock: clock)
                continue
            default:
                return action
            }
            try Task.checkCancellation()
            // A read returns what the socket holds even past its deadline, so a body that
            // keeps trickling in (a slow link) never waits long enough for the deadline to
            // fire: the fault tests saw the total deadline overshot by 70%. Check it here.
            if let total = exchange.deadline, clock.now >= total {
                throw HTTPCoreError(.totalTimeout, "the request's total deadline passed")
            }
            let deadline = clock.deadline(after: exchange.options.timeouts.read, capping: exchange.deadline)
            let bytes: [UInt8]?
            do {
                bytes = try await stream.read(maxBytes: configuration.readSize, deadline: deadline)
            } catch let error as HTTPCoreError where error.code == .tlsTruncated {
                // A TLS peer closed without close_notify. That proves nothing about the end
                // of a body delimited by the close, so there it is an error; anywhere else
                // it reads as the plain EOF it would be (a truncated head, a stale idle
                // connection, a short Content-Length body).
                if state.withLock({ $0.endsBodyAtClose(exchange.id) }) { throw error }
                bytes = nil
            } catch let error as HTTPCoreError where error.code == .readTimeout
                && state.withLock({ $0.isUploading(exchange.id) })
                && !(exchange.deadline.map { clock.now >= $0 } ?? false) {
                // A server may stay silent until it has the whole body, so silence counts
                // against the read timeout only once the upload is over.
                continue
            }
            state.withLock { $0.received(exchange.id, bytes) }
        }
    }

    /// Ends the exchange after the response's end: hands the connection back or closes it
    /// (stopping an upload the server no longer reads).
    func finish(_ exchange: HTTP1Exchange, close: Bool) async {
        guard close else { return }
        exchange.stopUpload()
        await stream.close(.graceful)
    }

    /// Marks the exchange failed, stops its upload, closes the stream, and returns the
    /// error to throw: the upload's own error when a failed upload is what closed it.
    /// The machine hears first, so the upload's cancellation, which follows, is not taken
    /// for a failure of its own.
    func fail(_ exchange: HTTP1Exchange, _ error: any Error) async -> HTTPCoreError {
        let needsClose = state.withLock { $0.fail(exchange.id) }
        exchange.stopUpload()
        var coreError = exchange.uploadFailure ?? coreError(error, exchange)
        if !exchange.wroteAnything { coreError = coreError.with(processing: .notProcessed) }
        if needsClose { await stream.close(.abortive) }
        return coreError
    }

    /// `error` as an `HTTPCoreError`, a read or write timeout at the total deadline
    /// reported as the total timeout.
    func coreError(_ error: any Error, _ exchange: HTTP1Exchange) -> HTTPCoreError {
        let coreError = HTTPCoreError.from(error, default: .readFailed)
        if let deadline = exchange.deadline, clock.now >= deadline,
           coreError.code == .readTimeout || coreError.code == .writeTimeout {
            return HTTPCoreError(.totalTimeout, "the request's total deadline passed", underlying: coreError)
        }
        return coreError
    }

    /// A body handle was dropped before the end: stop the upload and close without
    /// waiting for the caller.
    func release(_ exchange: HTTP1Exchange) {
        let needsClose = state.withLock { $0.release(exchange.id) }
        exchange.stopUpload()
        guard needsClose else { return }
        let stream = self.stream
        Task { await stream.close(.abortive) }
    }
}
