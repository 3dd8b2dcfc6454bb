extension HTTP2Connection {
    public struct Configuration: Sendable {
        /// Per-stream receive window: the most a slow reader of one body makes us buffer.
        public var streamWindow: Int32 = 4 << 20
        /// Receive window shared by all streams.
        public var connectionWindow: Int32 = 16 << 20
        /// Streams we allow the peer to open (a client never accepts pushes).
        public var maxConcurrentStreams: UInt32 = 100
        /// Bytes of names and values in one response head or trailers; more resets the
        /// stream with a `.headTooLarge` error.
        public var maxHeaderListSize = 64 << 10
        /// CONTINUATION frames after one HEADERS before the connection is refused.
        public var maxContinuations = 8
        /// Queued SETTINGS/PING acknowledgements before a PING or SETTINGS flood is refused.
        public var maxOutboundAcks = 1000
        /// Entries in one SETTINGS frame.
        public var maxSettingsEntries = 32
        /// RST_STREAM the peer may trigger (burst, then per second) before the connection
        /// is refused (the "rapid reset" defence).
        public var streamResetBurst = 1000
        public var streamResetRatePerSecond = 33
        /// HPACK dynamic table for the headers we receive, and at most for those we send.
        public var headerTableSize = 4096
        /// Request body bytes queued per stream before the sender waits for the window.
        public var uploadBuffer = 256 << 10
        /// Ping an idle connection this often; a missing ACK after `keepAliveTimeout`
        /// closes it (a dead peer is found before a request is lost on it). Nil: off.
        public var keepAliveInterval: Duration?
        public var keepAliveTimeout: Duration = .seconds(10)
        /// `waitFunctional()` sends no PING when the peer proved alive within this (aioh2's
        /// `functional_timeout`). A PING it sends unanswered for `keepAliveTimeout` (or
        /// this, when longer) closes the connection: a short liveness window must not make
        /// a busy peer look dead.
        public var functionalTimeout: Duration = .seconds(2)
        /// Server role: each wait for request body bytes is bounded by this (a client that
        /// stalls its upload has the stream reset with `.readTimeout`). Nil: no bound.
        public var serverBodyTimeout: Duration? = .seconds(30)
        /// Server role: how long sending the response may make no progress (nginx's
        /// `send_timeout`). It bounds two waits: for flow-control room (a stream whose
        /// client never opens its window, or a body held back after its handler returned,
        /// is reset with `.writeTimeout`; every byte that leaves restarts it, so a slow
        /// reader is not a stalled one), and for the client's socket to take each piece of
        /// framed output (a client that stops reading, or whose packets vanish, loses the
        /// connection). Nil: no bound.
        public var serverWriteTimeout: Duration? = .seconds(30)
        /// An idle connection expires after this long (the pool's keepalive_expiry).
        public var idleExpiry: Duration? = .seconds(60)
        /// Hears every frame's effect (`HTTP2FrameEvent`: kinds, streams, sizes and codes,
        /// never a field value or body byte), for logging at trace level
        /// (HTTPCoreLogging). Called outside the connection's lock, in frame order; nil
        /// (the default) costs nothing.
        public var frameObserver: (@Sendable (HTTP2FrameEvent) -> Void)?

        public init() {}

        var sessionSettings: NGHTTP2Session.Settings {
            var settings = NGHTTP2Session.Settings()
            settings.initialWindowSize = streamWindow
            settings.connectionWindowSize = connectionWindow
            settings.maxConcurrentStreams = maxConcurrentStreams
            settings.headerTableSize = UInt32(headerTableSize)
            settings.maxHeaderListSize = UInt32(maxHeaderListSize)
            return settings
        }

        var sessionLimits: NGHTTP2Session.Limits {
            var limits = NGHTTP2Session.Limits()
            limits.maxHeaderListSize = maxHeaderListSize
            limits.maxContinuations = maxContinuations
            limits.maxOutboundAck = maxOutboundAcks
            limits.maxSettingsEntries = maxSettingsEntries
            limits.streamResetBurst = UInt64(streamResetBurst)
            limits.streamResetRatePerSecond = UInt64(streamResetRatePerSecond)
            limits.maxEncoderTableSize = headerTableSize
            return limits
        }
    }
}
