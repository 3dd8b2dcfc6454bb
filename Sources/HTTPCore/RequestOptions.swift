/// Per-request settings (httpcore calls them extensions).
public struct RequestOptions: Sendable {
    public var timeouts: Timeouts
    /// How long to wait for `100 Continue` after sending a head with `Expect: 100-continue`
    /// before sending the body anyway (curl waits 1 s).
    public var expectContinueTimeout: Duration

    /// RFC 9218 priority, sent as the `priority` field over HTTP/2 (nil: the default,
    /// urgency 3, not incremental).
    public var priority: Priority?

    /// Called as the request passes each phase (see `RequestTrace.Event`).
    public var trace: RequestTrace?

    /// The instant by which the whole request must be done: one deadline for queueing in
    /// the pool, connecting, TLS, a proxy handshake, the exchange and the body. Nil until
    /// the first layer that sends the request fixes it from `timeouts.total`
    /// (`fixingDeadline(clock:)`); the layers below keep it, so time spent above them
    /// counts. Set it directly to share one deadline between several requests (a redirect
    /// chain, retries).
    public var deadline: HTTPInstant?

    public init(
        timeouts: Timeouts = .init(),
        expectContinueTimeout: Duration = .seconds(1),
        priority: Priority? = nil,
        trace: RequestTrace? = nil
    ) {
        self.timeouts = timeouts
        self.expectContinueTimeout = expectContinueTimeout
        self.priority = priority
        self.trace = trace
    }

    /// The request's total deadline: `deadline`, or `timeouts.total` from now, whichever
    /// comes first (nil when neither is set).
    public func totalDeadline(clock: some HTTPClock) -> HTTPInstant? {
        clock.deadline(after: timeouts.total, capping: deadline)
    }

    /// These options with `deadline` fixed, for the layer that starts the request.
    public func fixingDeadline(clock: some HTTPClock) -> RequestOptions {
        var options = self
        options.deadline = totalDeadline(clock: clock)
        return options
    }
}

/// RFC 9218 Extensible Priorities: `urgency` 0 (highest) to 7, and whether the response
/// can be delivered incrementally, interleaved with others of the same urgency.
public struct Priority: Sendable, Hashable {
    public var urgency: Int
    public var incremental: Bool

    public init(urgency: Int = 3, incremental: Bool = false) {
        self.urgency = min(max(urgency, 0), 7)
        self.incremental = incremental
    }

    /// The Structured Field value: `u=1, i`.
    public var headerValue: String { incremental ? "u=\(urgency), i" : "u=\(urgency)" }
}

/// Timeouts per phase, plus a total deadline for the whole exchange (head and body).
/// `nil` means no limit for that phase.
public struct Timeouts: Sendable, Hashable {
    /// The longest a connection attempt made for this request may take (TCP, a proxy
    /// handshake, TLS); the pool uses the smaller of this and its own `connectTimeout`.
    public var connect: Duration?
    /// The longest wait for any one read (between response bytes).
    public var read: Duration?
    /// The longest wait for any one write to be accepted.
    public var write: Duration?
    /// The longest wait for a connection from the pool.
    public var pool: Duration?
    /// From the start of the request (queueing in the pool included) to the last body
    /// byte; fixed as `RequestOptions.deadline` by the first layer that sends it.
    public var total: Duration?

    public init(
        connect: Duration? = .seconds(10),
        read: Duration? = .seconds(30),
        write: Duration? = .seconds(30),
        pool: Duration? = .seconds(30),
        total: Duration? = nil
    ) {
        self.connect = connect
        self.read = read
        self.write = write
        self.pool = pool
        self.total = total
    }

    /// No timeouts at all.
    public static let none = Timeouts(connect: nil, read: nil, write: nil, pool: nil, total: nil)
}
