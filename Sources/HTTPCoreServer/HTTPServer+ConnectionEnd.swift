import HTTPCore

extension HTTPServer {
    /// Why the server let go of a connection: an operator (or a metrics backend, through
    /// `Configuration.onEvent`) tells a client that left from one that was cut, and which
    /// limit cut it. Each connection ends once, with the first cause seen.
    public enum ConnectionEnd: Hashable, Sendable, CustomStringConvertible {
        /// Ended cleanly: the client closed between requests, a response ended it
        /// (`Connection: close`, HTTP/1.0), or a `.connections` handler returned.
        case closed
        /// One of the server's `Timeouts` ran out.
        case timeout(TimeoutKind)
        /// The client vanished mid-exchange: a reset, a broken pipe, or its side closed in
        /// the middle of a request head or body.
        case aborted
        /// The client broke HTTP: a request the parser refused (400, 414, 431, 501, 505),
        /// an HTTP/2 connection error or flood.
        case protocolError
        /// The TLS handshake (or a later TLS record) failed.
        case tlsFailed
        /// A handler failed after its HTTP/1.1 response began: only closing tells the
        /// client (over HTTP/2 the stream is reset and the connection stays).
        case handlerFailed
        /// Graceful shutdown closed it.
        case shutdown
        /// Closed at accept because `maxConnections` were open.
        case refused

        public var description: String {
            switch self {
            case .closed: "closed"
            case .timeout(let kind): "timeout(\(kind))"
            case .aborted: "aborted"
            case .protocolError: "protocolError"
            case .tlsFailed: "tlsFailed"
            case .handlerFailed: "handlerFailed"
            case .shutdown: "shutdown"
            case .refused: "refused"
            }
        }

        /// The end of a connection that failed with `error` (an HTTP/2 connection's end,
        /// a failed handshake).
        init(_ error: HTTPCoreError) {
            switch error.category {
            case .timeout(.write): self = .timeout(.write)
            case .timeout: self = .timeout(.idle) // an unanswered PING: the client is gone
            case .network: self = .aborted
            case .protocol, .limit: self = .protocolError
            case .tls: self = .tlsFailed
            case .unavailable, .cancelled, .proxy: self = .closed
            }
        }
    }

    /// Which of `Timeouts` ran out.
    public enum TimeoutKind: Hashable, Sendable {
        case requestHead, idle, body, write
    }
}
