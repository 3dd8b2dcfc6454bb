public import HTTPCore
public import HTTPTypes

/// aioh2's stream API on the client connection: open a stream with a head, send DATA in as
/// many pieces as you like (each call waits for flow-control room), send trailers, await
/// the response head, read the body in pieces or whole, read the trailers, reset with a
/// chosen code, and check liveness without a ticking timer (`waitFunctional`).
///
/// Both directions run at once, so a request can stream while its response streams back
/// (gRPC-style). Every wait is cancellation-safe: a cancelled receive, read or send resets
/// the stream (RST_STREAM(CANCEL)) and frees its slot. A stream is forgotten once its
/// body's end (or its error) was read, or it was reset.
///
///     let id = try await connection.startRequest(head)
///     try await connection.sendData(Array("hello".utf8), on: id)
///     let response = try await connection.receiveResponse(on: id)
///     try await connection.sendData(Array("world".utf8), on: id, endStream: true)
///     let body = try await connection.readStream(id)          // to the end
///     let trailers = try await connection.receiveTrailers(on: id)
extension HTTP2Connection {
    /// Opens a stream with `head` (aioh2's `start_request`); DATA follows through
    /// `sendData` unless `endStream`. Waits (FIFO) for a slot under the peer's stream limit.
    /// `options` gives the read and write timeouts of every wait on the stream, its total
    /// deadline and priority.
    public func startRequest(_ head: HTTPRequest, endStream: Bool = false, options: RequestOptions = RequestOptions()) async throws -> HTTP2StreamID {
        if let scheme = head.scheme, let authority = head.authority, let requested = Origin(scheme: scheme, authority: authority), requested != origin {
            throw HTTPCoreError(.invalidRequest, "a connection to \(origin) cannot open a stream for \(requested)", processing: .notProcessed)
        }
        let fields = try HTTP2Fields.head(head, origin: origin, contentLength: nil, priority: options.priority)
        let totalDeadline = options.totalDeadline(clock: clock)
        try await acquireSlot(deadline: totalDeadline)
        let id = try openStream(fields, body: endStream ? .none : .open, options: HTTP2StateMachine.StreamOptions(
            readTimeout: options.timeouts.read, writeTimeout: options.timeouts.write, totalDeadline: totalDeadline, trace: options.trace
        ))
        await flushFromCaller()
        return HTTP2StreamID(id)
    }

    /// Sends `bytes` as DATA on `stream`, ending our side when `endStream` (aioh2's
    /// `send_data`). Returns once the bytes are queued and the stream's unsent bytes are
    /// under `Configuration.uploadBuffer`: it waits while flow control holds them. Throws
    /// the stream's error, or `.streamReset` when the peer has closed the stream.
    public func sendData(_ bytes: [UInt8], on stream: HTTP2StreamID, endStream: Bool = false) async throws {
        guard try await write(stream.rawValue, bytes, end: endStream, trailers: nil, cancelResets: true) else {
            throw Self.closedByPeer(stream)
        }
    }

    /// Ends our side of `stream` with trailing HEADERS (aioh2's `send_trailers`).
    public func sendTrailers(_ trailers: HTTPFields, on stream: HTTP2StreamID) async throws {
        guard try await write(stream.rawValue, [], end: true, trailers: HTTP2HeaderList(trailers), cancelResets: true) else {
            throw Self.closedByPeer(stream)
        }
    }

    /// Ends our side of `stream` with an empty DATA frame carrying END_STREAM.
    public func endStream(_ stream: HTTP2StreamID) async throws {
        try await sendData([], on: stream, endStream: true)
    }

    /// The final response head on `stream` (aioh2's `recv_response`); 1xx are skipped.
    public func receiveResponse(on stream: HTTP2StreamID) async throws -> HTTPResponse {
        guard case .response(let head) = try await awaitHead(stream.rawValue) else {
            throw HTTPCoreError(.malformedResponse, "a request head where a response was due")
        }
        return head
    }

    /// Reads the peer's body on `stream` (aioh2's `read_stream`): with `maxBytes`, the
    /// next piece of at most that many bytes as soon as any is there; with nil (aioh2's
    /// `-1`), everything up to the end. An empty result means the body has ended. The
    /// flow-control windows reopen as bytes are taken, so the peer sends as fast as this
    /// reads.
    public func readStream(_ stream: HTTP2StreamID, maxBytes: Int? = nil) async throws -> [UInt8] {
        precondition((maxBytes ?? 1) > 0, "maxBytes must be positive (nil reads to the end)")
        // The end was read already: it reads as the end again, as in aioh2.
        if state.withLock({ $0.endedStreams[stream.rawValue] != nil }) { return [] }
        var collected: [UInt8] = []
        while true {
            switch try await readChunk(stream.rawValue, maxBytes: maxBytes ?? .max) {
            case .data(let bytes):
                guard maxBytes == nil else { return bytes }
                collected += bytes
            case .end(let trailers):
                state.withLock { $0.endedStreams[stream.rawValue] = trailers ?? HTTPFields() }
                return collected
            }
        }
    }

    /// The peer's trailers on `stream` (aioh2's `recv_trailers`), empty when it sent none.
    /// Waits for the end of the body; body bytes not read yet are discarded.
    public func receiveTrailers(on stream: HTTP2StreamID) async throws -> HTTPFields {
        if let trailers = state.withLock({ $0.endedStreams.removeValue(forKey: stream.rawValue) }) { return trailers }
        while true {
            switch try await readChunk(stream.rawValue, maxBytes: .max) {
            case .data: continue
            case .end(let trailers): return trailers ?? HTTPFields()
            }
        }
    }

    /// The application is done with `stream` without reading it to its end or resetting
    /// it (a server whose handler returned): what `readStream` kept of its end for
    /// `receiveTrailers` goes now, and the stream itself once the wire is done with it.
    /// Otherwise both stay for the connection's life: the end until `receiveTrailers`, and
    /// a stream that closed with an error (a client's RST_STREAM after the handler
    /// returned, its response still queued) until someone reads that error.
    package func finishedWith(_ stream: HTTP2StreamID) {
        state.withLock { state in
            _ = state.endedStreams.removeValue(forKey: stream.rawValue)
            state.machine.consumerFinished(stream.rawValue)
        }
    }

    /// Resets `stream` with `code` (RST_STREAM) and forgets it: every wait on it fails
    /// with `.cancelled`, and its slot goes to the next request.
    public func resetStream(_ stream: HTTP2StreamID, code: HTTP2ErrorCode = .cancel) {
        state.withLock { _ = $0.endedStreams.removeValue(forKey: stream.rawValue) }
        cancelStream(stream.rawValue, .reset, code: code)
    }

    /// aioh2's tickless health check: returns the latest round-trip time at once when a
    /// frame from the peer proved it alive within `Configuration.functionalTimeout`
    /// (the first one is measured on our SETTINGS' acknowledgement); otherwise sends a
    /// PING and returns its round trip. A PING unanswered for `keepAliveTimeout` closes
    /// the connection, and this throws `.readTimeout`.
    public func waitFunctional() async throws -> Duration {
        let waiter = Waiter<Duration>()
        let step = try await withState { state, followUp throws(HTTPCoreError) -> HTTP2StateMachine.FunctionalStep in
            let step = state.machine.waitFunctional(now: clock.now)
            if case .awaitPing(let opaque, let send) = step {
                state.pingWaiters[opaque, default: []].append(waiter)
                if send {
                    state.apply([.sendPing(opaque: opaque)], into: &followUp)
                    state.apply(state.machine.deadlineArmed(state.machine.functionalPing?.deadline), into: &followUp)
                }
            }
            return step
        }
        switch step {
        case .functional(let roundTrip): return roundTrip
        case .failed(let error): throw error
        case .awaitPing(let opaque, _):
            do {
                return try await waiter.wait { [state] in
                    state.withLock { state in
                        state.pingWaiters[opaque]?.removeAll { $0.isSame(as: waiter) }
                        if state.pingWaiters[opaque]?.isEmpty == true { state.pingWaiters[opaque] = nil }
                    }
                }
            } catch {
                // The connection ended meanwhile: when it was the unanswered PING, say so.
                throw HTTPCoreError.from(error, default: .readTimeout)
            }
        }
    }

    private static func closedByPeer(_ stream: HTTP2StreamID) -> HTTPCoreError {
        HTTPCoreError(.streamReset, "the peer closed \(stream) after its complete answer", underlying: HTTP2Failure(errorCode: .noError, initiator: .remotePeer))
    }
}
