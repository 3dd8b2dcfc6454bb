public import HTTPCore
import HTTPTypes

extension HTTP1Connection {
    public func send(_ request: Request) async throws -> Response {
        if Task.isCancelled {
            throw HTTPCoreError(.cancelled, "the task was cancelled before the request started", processing: .notProcessed)
        }
        if let requested = request.origin, requested != origin {
            throw HTTPCoreError(.invalidRequest, "a connection to \(origin) cannot send a request for \(requested)", processing: .notProcessed)
        }
        let framing = try HTTP1RequestEncoder.framing(for: request)
        let head = try HTTP1RequestEncoder.encodeHead(
            request.head, origin: origin, framing: framing,
            absoluteForm: configuration.absoluteFormTarget, additionalFields: configuration.additionalFields
        )
        if state.withLock({ $0.isIdle }), let stale = await stream.staleness(clock: clock) {
            // The server spoke or hung up while we were idle: this connection is stale.
            if state.withLock({ $0.close() }) { await stream.close(.abortive) }
            // A TLS alert (a server refusing our certificate after the handshake) says more
            // than "closed".
            if stale.category == .tls { throw stale.with(processing: .notProcessed) }
            throw HTTPCoreError(.connectionClosed, "the server closed the idle connection", processing: .notProcessed)
        }
        let id = try state.withLock { $0.startRequest(method: request.head.method) }.get()
        let exchange = HTTP1Exchange(
            id: id, options: request.options,
            deadline: request.options.totalDeadline(clock: clock)
        )
        do {
            try Task.checkCancellation()
            if let final = try await writeRequest(request, head: head, framing: framing, exchange) {
                return try await respond(final.0, final.1, exchange)
            }
            while true {
                switch try await nextEvent(exchange) {
                case .informational:
                    continue
                case .head(let response, let version, let stopUpload):
                    if stopUpload { exchange.stopUpload() }
                    return try await respond(response, version, exchange)
                default:
                    throw HTTPCoreError(.malformedResponse, "body before head")
                }
            }
        } catch {
            throw await fail(exchange, error)
        }
    }

    /// Wraps the head in a `Response`. A body the head already declared empty is finished
    /// here, so a caller that never touches it still hands the connection back.
    private func respond(_ head: HTTPResponse, _ version: HTTPVersion, _ exchange: HTTP1Exchange) async throws -> Response {
        if state.withLock({ $0.isAtEmptyBody }) {
            if case .end(let close) = try await nextEvent(exchange) {
                await finish(exchange, close: close)
                return Response(head: head, body: .empty, version: version)
            }
        }
        return Response(head: head, body: ResponseBody(source: HTTP1ResponseBodySource(connection: self, exchange: exchange)), version: version)
    }

    /// Writes the head, and the body when it is in memory. A streamed body goes to an
    /// upload task instead, so the response head (and body) can be read while it is
    /// still being written: a server that answers as the body arrives (an echo) would
    /// otherwise deadlock against a client that only reads after writing everything.
    /// Returns a final response if one arrived while waiting for `100 Continue` (the body
    /// is then not sent).
    private func writeRequest(
        _ request: Request,
        head: [UInt8],
        framing: HTTP1RequestEncoder.Framing,
        _ exchange: HTTP1Exchange
    ) async throws -> (HTTPResponse, HTTPVersion)? {
        let expectsContinue = framing != .none
            && request.head.headerFields[.expect]?.lowercased() == "100-continue"
        // A body in memory (or none) goes out with the head, in one write and without a
        // chunk source.
        let inMemory: [UInt8]? = switch request.body.storage {
        case .bytes(let body): body
        case .empty: []
        case .stream: nil
        }
        if let body = inMemory, framing != .chunked, !expectsContinue {
            try await write(body.isEmpty ? head : head + body, exchange)
            exchange.options.trace?.record(.requestHeadSent, at: clock.now)
            requestSent(exchange, bodyBytes: body.count)
            return nil
        }
        try await write(head, exchange)
        exchange.options.trace?.record(.requestHeadSent, at: clock.now)
        if expectsContinue, let final = try await awaitContinue(exchange) {
            state.withLock { $0.bodySkipped(exchange.id) }
            return final
        }
        if case .stream = request.body.storage {
            startUpload(request.body, framing: framing, exchange)
        } else {
            let sent = try await writeBody(request.body, framing: framing, exchange)
            requestSent(exchange, bodyBytes: sent)
        }
        return nil
    }

    private func requestSent(_ exchange: HTTP1Exchange, bodyBytes: Int) {
        state.withLock { $0.requestSent(exchange.id) }
        exchange.options.trace?.record(.requestSent(bodyBytes: Int64(bodyBytes)), at: clock.now)
    }

    /// Runs the streamed body's upload in its own task, tied to the exchange: the exchange
    /// cancels it when the response fails, is dropped, or tells it to stop. A failure of a
    /// live upload closes the connection and is kept for whoever reads next (`send` before
    /// the head, else the body reader).
    private func startUpload(_ body: RequestBody, framing: HTTP1RequestEncoder.Framing, _ exchange: HTTP1Exchange) {
        let ended = Waiter<Void>()
        uploading.withLock { $0 = exchange }
        let task = Task(executorPreference: stream.preferredTaskExecutor) {
            do {
                let sent = try await self.writeBody(body, framing: framing, exchange)
                self.state.withLock { $0.uploadFinished(exchange.id) }
                exchange.options.trace?.record(.requestSent(bodyBytes: Int64(sent)), at: self.clock.now)
            } catch {
                let failure = self.coreError(error, exchange)
                let close = self.state.withLock { machine in
                    guard machine.uploadFailed(exchange.id) else { return false }
                    exchange.recordUploadFailure(failure)
                    return true
                }
                if close { await self.stream.close(.abortive) }
            }
            self.uploading.withLock { if $0 === exchange { $0 = nil } }
            ended.resume(returning: ())
        }
        exchange.attachUpload(task, ended: ended)
    }

    /// Pulls the body and writes it in its framing. Once no more body bytes can come (the
    /// source ended, or its declared length is reached, after which it is not pulled
    /// again: the message is complete, and a source that ends late must not hold up the
    /// response) the state machine hears that only the last write is left, so an error
    /// response arriving meanwhile lets that write finish instead of cutting the message.
    /// Returns the body bytes written.
    @discardableResult
    private func writeBody(_ body: RequestBody, framing: HTTP1RequestEncoder.Framing, _ exchange: HTTP1Exchange) async throws -> Int {
        let source = body.makeChunkSource()
        var sent = 0
        while true {
            if case .contentLength(let length) = framing, sent == length { break }
            let next: [UInt8]?
            do {
                next = try await source.next()
            } catch {
                throw HTTPCoreError.from(error, default: .requestBodyUnreadable)
            }
            guard let chunk = next else { break }
            try Task.checkCancellation()
            sent += chunk.count
            switch framing {
            case .none:
                throw HTTPCoreError(.requestBodyLengthMismatch, "a body without framing produced bytes")
            case .contentLength(let length):
                guard sent <= length else {
                    throw HTTPCoreError(.requestBodyLengthMismatch, "the body produced more than its declared \(length) bytes")
                }
                if sent == length { state.withLock { $0.uploadFinishing(exchange.id) } }
                try await write(chunk, exchange)
            case .chunked:
                try await write(HTTP1RequestEncoder.chunk(chunk), exchange)
            }
        }
        switch framing {
        case .contentLength(let length) where sent != length:
            throw HTTPCoreError(.requestBodyLengthMismatch, "the body produced \(sent) of its declared \(length) bytes")
        case .chunked:
            state.withLock { $0.uploadFinishing(exchange.id) }
            try await write(HTTP1RequestEncoder.lastChunk(trailers: body.trailers), exchange)
        default:
            break
        }
        return sent
    }

    /// Waits for `100 Continue` up to the request's expect timeout. Nil means "send the
    /// body" (100 arrived, or the wait ran out); a final head means "do not".
    private func awaitContinue(_ exchange: HTTP1Exchange) async throws -> (HTTPResponse, HTTPVersion)? {
        let giveUp = clock.deadline(after: exchange.options.expectContinueTimeout, capping: exchange.deadline)
        let waiting = HTTP1Exchange(
            id: exchange.id,
            options: {
                var options = exchange.options
                options.timeouts.read = nil
                return options
            }(),
            deadline: giveUp
        )
        do {
            while true {
                switch try await nextEvent(waiting) {
                case .informational(let head) where head.status.code == 100: return nil
                case .informational: continue
                case .head(let head, let version, _): return (head, version)
                default: throw HTTPCoreError(.malformedResponse, "body before head")
                }
            }
        } catch let error as HTTPCoreError where error.code == .readTimeout && !Task.isCancelled {
            if let deadline = exchange.deadline, clock.now >= deadline { throw error }
            return nil
        }
    }

    private func write(_ bytes: [UInt8], _ exchange: HTTP1Exchange) async throws {
        try Task.checkCancellation()
        exchange.markWriting()
        let deadline = clock.deadline(after: exchange.options.timeouts.write, capping: exchange.deadline)
        try await stream.write(bytes, deadline: deadline)
    }
}
