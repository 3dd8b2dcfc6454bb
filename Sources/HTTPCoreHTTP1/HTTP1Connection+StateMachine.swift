import HTTPCore
import HTTPTypes

extension HTTP1Connection {
    /// The connection's logic: which exchange owns the connection, and what each event
    /// means for reuse. It never awaits and never does I/O; the shell runs its actions.
    ///
    /// ```
    ///   idle --startRequest--> active(sending) --requestSent--> active(awaitingHead)
    ///     ^                                                          |  head
    ///     +------ end, keep-alive, nothing extra buffered ---- active(receivingBody)
    ///   any --fail / release before end / close / end without keep-alive--> closed
    /// ```
    /// Exchanges carry an id so a stale body handle from an earlier response cannot touch
    /// a later exchange.
    struct StateMachine {
        enum State {
            case idle(since: HTTPInstant)
            case active(Exchange)
            case closed
        }

        struct Exchange {
            var id: UInt64
            var phase: Phase
            /// The body was not sent (a final response came before `100 Continue`), so the
            /// server's idea of the message differs from ours: never reuse.
            var mustClose = false
        }

        enum Phase { case sending, awaitingHead, receivingBody }

        /// What the shell does after a read-side event.
        enum ReadAction: Equatable {
            case readMore
            case informational(HTTPResponse)
            case head(HTTPResponse, HTTPVersion)
            case body([UInt8])
            case trailers(HTTPFields)
            /// The response is complete; close the stream if `close`.
            case end(close: Bool)
        }

        private(set) var state: State
        private(set) var parser: HTTP1ResponseParser
        private(set) var requestCount = 0
        private var nextID: UInt64 = 0

        init(now: HTTPInstant, limits: HTTP1Limits) {
            state = .idle(since: now)
            parser = HTTP1ResponseParser(limits: limits)
        }

        mutating func startRequest(method: HTTPRequest.Method) -> Result<UInt64, HTTPCoreError> {
            switch state {
            case .closed:
                return .failure(HTTPCoreError(.connectionClosed, "the connection is closed", processing: .notProcessed))
            case .active:
                return .failure(HTTPCoreError(.connectionUnavailable, "an HTTP/1.1 connection carries one request at a time", processing: .notProcessed))
            case .idle:
                nextID += 1
                requestCount += 1
                state = .active(Exchange(id: nextID, phase: .sending))
                parser.startResponse(to: method)
                return .success(nextID)
            }
        }

        mutating func requestSent(_ id: UInt64) {
            update(id) { $0.phase = .awaitingHead }
        }

        /// A final response arrived before the body was sent.
        mutating func bodySkipped(_ id: UInt64) {
            update(id) { $0.mustClose = true }
        }

        /// Bytes (or EOF, as nil) read for exchange `id`.
        mutating func received(_ id: UInt64, _ bytes: [UInt8]?) {
            guard isCurrent(id) else { return }
            if let bytes { parser.feed(bytes) } else { parser.feedEOF() }
        }

        /// Whether the end of the connection would end exchange `id`'s body.
        func endsBodyAtClose(_ id: UInt64) -> Bool {
            isCurrent(id) && parser.isReadingUntilClose
        }

        /// The next thing the shell should do for exchange `id`.
        mutating func nextEvent(_ id: UInt64, now: HTTPInstant) throws(HTTPCoreError) -> ReadAction {
            guard case .active(var exchange) = state, exchange.id == id else {
                throw HTTPCoreError(.connectionClosed, "the connection is closed")
            }
            let event: HTTP1ResponseEvent?
            do {
                event = try parser.next()
            } catch {
                throw error.coreError
            }
            switch event {
            case nil:
                return .readMore
            case .informational(let head):
                return .informational(head)
            case .head(let head, let version):
                exchange.phase = .receivingBody
                state = .active(exchange)
                return .head(head, version)
            case .body(let bytes):
                return .body(bytes)
            case .trailers(let fields):
                return .trailers(fields)
            case .end(let keepAlive):
                // Bytes beyond the response arrived unasked: the stream is out of step.
                let reusable = keepAlive && !exchange.mustClose && parser.bufferedByteCount == 0
                state = reusable ? .idle(since: now) : .closed
                return .end(close: !reusable)
            }
        }

        /// The exchange failed or was cancelled: the connection is not reusable.
        /// Returns whether the stream still needs closing.
        mutating func fail(_ id: UInt64) -> Bool {
            guard isCurrent(id) else { return false }
            state = .closed
            return true
        }

        /// The body of exchange `id` was dropped before its end.
        mutating func release(_ id: UInt64) -> Bool { fail(id) }

        /// Close requested; returns whether the stream still needs closing.
        mutating func close() -> Bool {
            if case .closed = state { return false }
            state = .closed
            return true
        }

        private func isCurrent(_ id: UInt64) -> Bool {
            if case .active(let exchange) = state { return exchange.id == id }
            return false
        }

        private mutating func update(_ id: UInt64, _ change: (inout Exchange) -> Void) {
            guard case .active(var exchange) = state, exchange.id == id else { return }
            change(&exchange)
            state = .active(exchange)
        }

        var isIdle: Bool {
            if case .idle = state { return true }
            return false
        }

        var isClosed: Bool {
            if case .closed = state { return true }
            return false
        }

        var idleSince: HTTPInstant? {
            if case .idle(let since) = state { return since }
            return nil
        }

        /// The head has been parsed and announced an empty body.
        var isAtEmptyBody: Bool { parser.isAtEmptyBody }
    }
}
