import HTTPCore
import HTTPTypes

extension HTTP1Connection {
    /// The connection's logic: which exchange owns the connection, and what each event
    /// means for reuse. It never awaits and never does I/O; the shell runs its actions.
    ///
    /// An exchange has two halves that run side by side (full duplex): the upload of the
    /// request body and the reading of the response. The connection is idle again only
    /// when both have ended cleanly; anything else closes it.
    /// ```
    ///   idle --startRequest--> active(upload: writing, response: reading)
    ///
    ///   upload:   writing --uploadFinishing--> finishing --uploadFinished--> done
    ///             writing/finishing --uploadFailed--> (connection closed)
    ///             writing --final head >= 400 or Connection: close--> stopped
    ///             writing/finishing --response complete without keep-alive--> stopped
    ///   response: reading (informational heads, head, body, trailers) --end--> complete
    ///
    ///   complete + done, keep-alive, nothing extra buffered --> idle
    ///   complete, keep-alive + writing/finishing --> wait for the upload (awaitUpload)
    ///   complete + stopped, or no keep-alive --> closed
    ///   any --fail / release before end / close--> closed
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
            var upload: UploadProgress = .writing
            var response: ResponseProgress = .reading
        }

        /// Where the request body stands.
        enum UploadProgress: Equatable {
            /// Head or body bytes are still to come from the body source.
            case writing
            /// The source is exhausted (or its declared length reached): only the last
            /// write is in flight, so an early error response no longer stops it.
            case finishing
            case done
            /// The body was cut short on purpose (an early error response, a response
            /// without keep-alive, or a final response before `100 Continue`): the server's
            /// idea of the message differs from ours, so the connection is never reused.
            case stopped
        }

        /// Whether the response has been read to its end (and if so, whether it allows reuse).
        enum ResponseProgress: Equatable {
            case reading
            case complete(keepAlive: Bool)
        }

        /// What the shell does after a read-side event.
        enum ReadAction: Equatable {
            case readMore
            case informational(HTTPResponse)
            /// The final head. With `stopUpload`, the server answered with an error (or
            /// announced it closes) while the body was still being written: the shell
            /// cancels the upload and lets the body source go.
            case head(HTTPResponse, HTTPVersion, stopUpload: Bool)
            case body([UInt8])
            case trailers(HTTPFields)
            /// The response is complete but the request body is still uploading: wait for
            /// the upload to end, then ask again.
            case awaitUpload
            /// The exchange is over; close the stream (and stop any upload) if `close`.
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
                state = .active(Exchange(id: nextID))
                parser.startResponse(to: method)
                return .success(nextID)
            }
        }

        /// The whole request was written before reading began (no streamed body).
        mutating func requestSent(_ id: UInt64) {
            update(id) { $0.upload = .done }
        }

        /// A final response arrived before the body was sent.
        mutating func bodySkipped(_ id: UInt64) {
            update(id) { $0.upload = .stopped }
        }

        /// The streamed body has no more bytes to give: only its last write remains.
        mutating func uploadFinishing(_ id: UInt64) {
            update(id) { if $0.upload == .writing { $0.upload = .finishing } }
        }

        /// The streamed body's last write completed.
        mutating func uploadFinished(_ id: UInt64) {
            update(id) { if $0.upload != .stopped { $0.upload = .done } }
        }

        /// The upload of exchange `id` threw. Returns true when that matters (the upload
        /// was live): the connection is then closed and the error belongs to the exchange.
        /// False when the upload had been stopped on purpose (its cancellation is the
        /// expected outcome) or the exchange is already over.
        mutating func uploadFailed(_ id: UInt64) -> Bool {
            guard case .active(let exchange) = state, exchange.id == id,
                  exchange.upload == .writing || exchange.upload == .finishing else { return false }
            state = .closed
            return true
        }

        /// Whether a read timeout should be waited out rather than fail: the server may
        /// stay silent until it has the whole request, so the read timeout counts only
        /// once the upload is over.
        func isUploading(_ id: UInt64) -> Bool {
            guard case .active(let exchange) = state, exchange.id == id else { return false }
            return exchange.upload == .writing || exchange.upload == .finishing
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
            if case .complete(let keepAlive) = exchange.response {
                return settle(exchange, keepAlive: keepAlive, now: now)
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
                // RFC 9112 §9.5: a client sending content should watch for an error
                // response and stop sending if the server does not want the rest.
                let stop = exchange.upload == .writing && (head.status.code >= 400 || Self.announcesClose(head))
                if stop { exchange.upload = .stopped }
                state = .active(exchange)
                return .head(head, version, stopUpload: stop)
            case .body(let bytes):
                return .body(bytes)
            case .trailers(let fields):
                return .trailers(fields)
            case .end(let keepAlive):
                exchange.response = .complete(keepAlive: keepAlive)
                return settle(exchange, keepAlive: keepAlive, now: now)
            }
        }

        /// The response is complete: decide the connection's fate from the upload's state.
        ///
        /// A keep-alive response that completes while the body is still uploading waits for
        /// the upload: servers such as nginx answer at once and then read and discard the
        /// rest of the body, keeping the connection, so both ends agree on the message
        /// boundary once the body is written. The reader's last read returns only then,
        /// and the pool, which takes the connection back at the body's end, never sees it
        /// busy. Without keep-alive the connection closes anyway: stop the upload.
        private mutating func settle(_ exchange: Exchange, keepAlive: Bool, now: HTTPInstant) -> ReadAction {
            var exchange = exchange
            let uploading = exchange.upload == .writing || exchange.upload == .finishing
            if uploading, keepAlive {
                state = .active(exchange)
                return .awaitUpload
            }
            if uploading { exchange.upload = .stopped }
            // Bytes beyond the response arrived unasked: the stream is out of step.
            let reusable = keepAlive && exchange.upload == .done && parser.bufferedByteCount == 0
            state = reusable ? .idle(since: now) : .closed
            return .end(close: !reusable)
        }

        private static func announcesClose(_ head: HTTPResponse) -> Bool {
            HTTP1Framing.announcesClose(head.headerFields)
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
