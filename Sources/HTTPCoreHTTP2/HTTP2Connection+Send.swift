public import HTTPCore
import HTTPTypes

extension HTTP2Connection {
    /// Sends `request` on a new stream and returns once the response head arrives; the
    /// body streams after. Waits (FIFO) while the peer's stream limit is reached.
    public func send(_ request: Request) async throws -> Response {
        if Task.isCancelled {
            throw HTTPCoreError(.cancelled, "the task was cancelled before the request started", processing: .notProcessed)
        }
        if let requested = request.origin, requested != origin {
            throw HTTPCoreError(.invalidRequest, "a connection to \(origin) cannot send a request for \(requested)", processing: .notProcessed)
        }
        let fields = try HTTP2Fields.request(request, origin: origin)
        let totalDeadline = request.options.totalDeadline(clock: clock)
        try await acquireSlot(deadline: totalDeadline)

        let body = request.body
        let trailers = body.trailers.map(HTTP2Fields.encode)
        let hasBody: Bool = switch body.storage {
        case .empty: trailers != nil
        case .bytes(let bytes): !bytes.isEmpty || trailers != nil
        case .stream: true
        }
        let (id, head) = try core.withLock { core throws(HTTPCoreError) -> (Int32, Waiter<HTTPResponse>) in
            if let error = core.closeError {
                core.releaseSlot(now: clock.now)
                throw error.with(processing: .notProcessed)
            }
            switch core.session.submitRequest(fields, hasBody: hasBody) {
            case .failure(let failure):
                core.releaseSlot(now: clock.now)
                throw HTTPCoreError(.invalidRequest, "nghttp2 refused the request: \(failure)", processing: .notProcessed)
            case .success(let id):
                var state = HTTP2StreamState()
                state.readTimeout = request.options.timeouts.read
                state.totalDeadline = totalDeadline
                state.trace = request.options.trace
                core.streams[id] = state
                // A streamed body gets its read deadline once it is sent (see upload), but
                // the total deadline holds while it is sent.
                core.armWait(body.isStream ? nil : state.readTimeout, now: clock.now, stream: id)
                if case .bytes(let bytes) = body.storage { core.session.append(bytes, stream: id) }
                if hasBody, !body.isStream { core.session.finish(stream: id, trailers: trailers) }
                return (id, state.head)
            }
        }
        scheduleFlush()
        do {
            if body.isStream { try await upload(request, trailers: trailers, stream: id) }
            let responseHead = try await head.wait { [weak self] in self?.cancelStream(id) }
            return Response(
                head: responseHead, body: ResponseBody(source: HTTP2ResponseBodySource(connection: self, id: id)), version: .http2,
                streamControl: HTTP2StreamControl(connection: self, id: id)
            )
        } catch {
            let failure = HTTPCoreError.from(error, default: .readFailed)
            if failure.category == .cancelled || failure.code == .requestBodyLengthMismatch { cancelStream(id) }
            throw failure
        }
    }

    /// Waits (FIFO) for a stream slot, until `deadline` at most (then `.totalTimeout`).
    private func acquireSlot(deadline: HTTPInstant?) async throws {
        let (action, waiter) = core.withLock { core -> (StateMachine.SlotAction, Waiter<Void>?) in
            let action = core.machine.requestSlot()
            guard case .wait(let ticket) = action else { return (action, nil) }
            let waiter = Waiter<Void>()
            core.slotWaiters[ticket] = waiter
            return (action, waiter)
        }
        switch action {
        case .proceed:
            return
        case .unavailable:
            let error = core.withLock { $0.closeError ?? $0.goAway.map { _ in HTTPCoreError(.goAway, "the connection is draining after GOAWAY") } }
            throw (error ?? HTTPCoreError(.connectionUnavailable, "the connection takes no new streams")).with(processing: .notProcessed)
        case .wait(let ticket):
            let leave: @Sendable () -> Void = { [core] in
                core.withLock { core in
                    if core.machine.cancelWait(ticket: ticket) { core.slotWaiters[ticket] = nil }
                }
            }
            // Waiting for a slot is rare (the pool assigns up to the peer's limit), so a
            // request that must wait with a deadline gets a timer task of its own.
            let timer = deadline.map { deadline in
                Task { [clock, waiter] in
                    guard (try? await clock.sleep(until: deadline)) != nil else { return }
                    if waiter!.resume(throwing: HTTPCoreError(.totalTimeout, "no HTTP/2 stream slot before the total deadline")) { leave() }
                }
            }
            defer { timer?.cancel() }
            do {
                try await waiter!.wait(onCancel: leave)
            } catch {
                throw HTTPCoreError.from(error, default: .connectionUnavailable).with(processing: .notProcessed)
            }
        }
    }

    /// Streams a request body under flow control: chunks queue in nghttp2's data source,
    /// and the sender waits while `uploadBuffer` bytes are still unframed.
    private func upload(_ request: Request, trailers: [NGHTTP2Session.Field]?, stream id: Int32) async throws {
        let body = request.body
        let source = body.makeChunkSource()
        let writeTimeout = request.options.timeouts.write
        var sent = 0
        while let chunk = try await source.next() {
            try Task.checkCancellation()
            sent += chunk.count
            if let length = body.knownLength, sent > length { break }
            let waiter = try core.withLock { core throws(HTTPCoreError) -> Waiter<Void>? in
                // Reset meanwhile (cancelled, or a deadline passed): the head's waiter
                // holds the reason, and send throws it from there.
                guard let state = core.streams[id] else { return nil }
                if let error = state.error { throw error }
                // The server answered and closed the stream before the whole body: stop.
                guard state.holdsSlot else { return nil }
                core.session.append(chunk, stream: id)
                guard core.session.queuedBodyBytes(stream: id) >= core.uploadBuffer else { return nil }
                let waiter = Waiter<Void>()
                core.streams[id]!.uploadWaiter = waiter
                core.armWait(writeTimeout, now: clock.now, stream: id, writing: true)
                return waiter
            }
            await flush()
            if let waiter {
                try await waiter.wait { [weak self] in self?.cancelStream(id) }
                core.withLock { $0.armWait(nil, now: clock.now, stream: id) }
            }
            if core.withLock({ $0.streams[id]?.holdsSlot != true }) { return }
        }
        if let length = body.knownLength, sent != length {
            throw HTTPCoreError(.requestBodyLengthMismatch, "the body declared \(length) bytes and delivered \(sent)")
        }
        core.withLock { core in
            core.session.finish(stream: id, trailers: trailers)
            core.armWait(core.streams[id]?.readTimeout, now: clock.now, stream: id)
        }
        await flush()
    }
}

extension RequestBody {
    var isStream: Bool {
        if case .stream = storage { return true }
        return false
    }
}
