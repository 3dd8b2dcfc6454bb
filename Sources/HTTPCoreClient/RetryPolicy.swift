/// When the client sends a request again. Off by default, as in httpx.
///
/// A request is retried when the failure says it was not processed (nothing reached the
/// server, a refused stream, GOAWAY, a failed connect), whatever its method; or when it is
/// idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) or carries an `Idempotency-Key`, and
/// the response has one of `statuses`, honouring `Retry-After` up to `maxRetryAfter`. A POST
/// that may have been processed is never sent again. Waits grow exponentially with jitter;
/// every retry stays inside the request's total deadline; and a budget shared by the
/// client's requests keeps retries to a fraction of the traffic, so a struggling server is
/// not sent a multiple of its load.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt; 0 is off.
    public var maxRetries: Int
    public var statuses: Set<Int>
    /// The wait before retry n (from 0) is `baseDelay × 2ⁿ`, at most `maxDelay`, with jitter.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A Retry-After longer than this is not waited for: the response is returned.
    public var maxRetryAfter: Duration
    public var jitter: Jitter

    public enum Jitter: Sendable, Hashable {
        /// A random wait between 0 and the computed one (AWS's "full jitter").
        case full
        /// Exactly the computed wait (for tests and reproducible runs).
        case none
    }

    public init(
        maxRetries: Int = 2,
        statuses: Set<Int> = [429, 503],
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60),
        jitter: Jitter = .full
    ) {
        self.maxRetries = max(0, maxRetries)
        self.statuses = statuses
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.jitter = jitter
    }

    public static let off = RetryPolicy(maxRetries: 0)

    /// The wait before retry `attempt` (0 for the first retry).
    func backoff(attempt: Int) -> Duration {
        let doubled = baseDelay * (1 << min(attempt, 20))
        let delay = doubled > maxDelay ? maxDelay : doubled
        switch jitter {
        case .none:
            return delay
        case .full:
            var generator = SystemRandomNumberGenerator()
            let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
            return .nanoseconds(Int64.random(in: 0...max(0, nanoseconds), using: &generator))
        }
    }
}

/// Retries as a share of requests, shared by one client's requests (the token bucket of
/// gRPC's and Finagle's retry budgets): each first attempt deposits `ratio` of a token, each
/// retry takes one, and `minimum` tokens are there from the start so a quiet client can
/// still retry.
public struct RetryBudget: Sendable, Hashable {
    public var ratio: Double
    public var minimum: Int

    public init(ratio: Double = 0.2, minimum: Int = 10) {
        self.ratio = max(0, ratio)
        self.minimum = max(0, minimum)
    }
}

/// The budget's balance (in tenths of a token, to stay in integers).
struct RetryBudgetBalance {
    let budget: RetryBudget
    private var tenths: Int

    init(_ budget: RetryBudget) {
        self.budget = budget
        tenths = budget.minimum * 10
    }

    private var cap: Int { max(budget.minimum, 100) * 10 }

    mutating func deposit() { tenths = min(cap, tenths + Int((budget.ratio * 10).rounded())) }

    /// Takes a token for a retry; false when the budget is spent.
    mutating func withdraw() -> Bool {
        guard tenths >= 10 else { return false }
        tenths -= 10
        return true
    }
}
