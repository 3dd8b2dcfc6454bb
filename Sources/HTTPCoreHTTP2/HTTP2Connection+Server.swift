public import HTTPCore
public import HTTPTypes

/// The server role: the same connection, machine and stream API with nghttp2's server
/// session (aioh2's server side). A handler loops on `receiveRequest()`, reads the body
/// with `readStream`, answers with `startResponse`, `sendData` and `sendTrailers`, and can
/// check liveness with `waitFunctional()`; both directions run at once.
///
///     let connection = try await HTTP2Connection.accept(over: stream, origin: origin)
///     while let (id, request) = try await connection.receiveRequest() {
///         Task {
///             let body = try await connection.readStream(id)                 // to the end
///             try await connection.startResponse(HTTPResponse(status: .ok), on: id)
///             try await connection.sendData(Array("hello, ".utf8) + body, on: id)
///             try await connection.sendTrailers(["len": "\(body.count)"], on: id)
///         }
///     }
///
/// The client may open `Configuration.maxConcurrentStreams` streams at once (our
/// SETTINGS_MAX_CONCURRENT_STREAMS; nghttp2 refuses more with REFUSED_STREAM). The
/// HTTP/2 server (`HTTPCoreServer`'s `HTTPServer`) that listens, limits concurrency
/// across connections and drains on shutdown is built on this per-connection core.
extension HTTP2Connection {
    /// Serves the HTTP/2 connection a client opened on `stream` (TLS with ALPN `h2`, or
    /// cleartext where the client's preface arrives). Sends our SETTINGS and starts
    /// reading; nghttp2 checks the client's connection preface. `origin` names what this
    /// server answers for (descriptions, and requests that carry no `:authority`).
    public static func accept(
        over stream: any NetworkStream,
        origin: Origin,
        clock: any HTTPClock = SystemClock(),
        configuration: Configuration = Configuration()
    ) async throws -> HTTP2Connection {
        let connection = try await open(.server, over: stream, origin: origin, clock: clock, configuration: configuration)
        connection.state.withLock { state in
            state.machine.incomingOptions = HTTP2StateMachine.StreamOptions(
                readTimeout: configuration.serverBodyTimeout, writeTimeout: configuration.serverWriteTimeout
            )
        }
        await connection.run()
        return connection
    }

    /// Server role, graceful shutdown: GOAWAY naming the last stream we took, so the client
    /// opens no more and retries later ones elsewhere; streams already open finish, and
    /// `receiveRequest` returns nil once they are handed out. False when already draining
    /// or not a server.
    @discardableResult
    public func drain() async -> Bool {
        let (draining, receiver) = state.withLock { state -> (Bool, Waiter<Void>?) in
            guard state.machine.drainRequested() else { return (false, nil) }
            state.session.goAway(code: 0, lastStreamID: state.session.lastProcessedStreamID)
            defer { state.incomingWaiter = nil }
            return (true, state.incomingWaiter)
        }
        receiver?.resume(returning: ())
        if draining { await flushFromCaller() }
        return draining
    }

    /// Writes every queued frame, then closes (GOAWAY): what the handlers answered reaches
    /// the client first. A client that does not read can hold this up; bound it, or use
    /// `close()`.
    public func finishAndClose() async {
        await flushAll()
        await close()
    }

    /// Server role: when the connection last had nothing to do, or nil while it serves a
    /// stream. The client's frames count as activity (a PING keeps a connection open).
    public var idleSince: HTTPInstant? {
        state.withLock { $0.machine.streams.isEmpty && $0.machine.incoming.isEmpty ? $0.machine.lastActivity : nil }
    }

    /// Server role: the client's RFC 9218 priority for `stream`, such as `u=1, i`: its
    /// latest PRIORITY_UPDATE, else the request's `priority` field; nil when it sent
    /// neither (the default, `u=3`, applies) or the stream is gone.
    public func priority(of stream: HTTP2StreamID) -> String? {
        state.withLock { state in
            guard let index = state.machine.streams.index(forKey: stream.rawValue) else { return nil }
            let entry = state.machine.streams.values[index]
            if let update = entry.priority { return update }
            guard case .request(let head) = entry.head else { return nil }
            return head.headerFields[HTTPField.Name("priority")!]
        }
    }

    /// Server role: streams the client opened and the handler has not finished with.
    public var openStreamCount: Int { state.withLock { $0.machine.streams.count } }

    /// The next stream the client opened, with its request head (aioh2's `recv_request`),
    /// in the order they arrived; nil once the connection has ended cleanly (the client
    /// closed it, or `close()`). Throws the connection's error otherwise.
    public func receiveRequest() async throws -> (stream: HTTP2StreamID, head: HTTPRequest)? {
        while true {
            let (step, waiter) = state.withLock { state -> (HTTP2StateMachine.IncomingStep, Waiter<Void>?) in
                let step = state.machine.takeIncoming()
                guard case .wait = step else { return (step, nil) }
                let waiter = Waiter<Void>()
                state.incomingWaiter = waiter
                return (step, waiter)
            }
            switch step {
            case .stream(let id):
                guard case .request(let head) = try await awaitHead(id) else { continue }
                return (HTTP2StreamID(id), head)
            case .failed(let error):
                if error.code == .connectionClosed || error.code == .goAway { return nil }
                throw error
            case .wait:
                try await waiter!.wait { [state] in state.withLock { $0.incomingWaiter = nil } }
            }
        }
    }

    /// Answers `stream` with `head` (aioh2's `start_response`); DATA follows through
    /// `sendData` and the end through `sendData(endStream:)` or `sendTrailers`, unless
    /// `endStream`. Throws when the stream is gone (the client reset it) or was answered.
    public func startResponse(_ head: HTTPResponse, on stream: HTTP2StreamID, endStream: Bool = false) async throws {
        let fields = HTTP2Fields.response(head)
        try await withState { state, followUp throws(HTTPCoreError) in
            if let error = state.machine.startResponse(stream.rawValue, endStream: endStream) { throw error }
            if let failure = state.session.submitResponse(stream: stream.rawValue, fields, hasBody: !endStream) {
                state.apply(state.machine.cancel(stream.rawValue, code: .internalError, now: clock.now), into: &followUp)
                throw HTTPCoreError(.invalidRequest, "nghttp2 refused the response: \(failure)")
            }
            followUp.flush = true
        }
    }
}
