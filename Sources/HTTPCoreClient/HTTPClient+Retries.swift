import HTTPCore
import HTTPTypes

extension HTTPClient {
    /// Sends `first` (following redirects) and sends it again as its retry policy allows,
    /// every attempt under one total deadline. A response retried for its status is let go
    /// unread.
    func sendWithRetries(_ first: RequestSpec) async throws -> (RequestSpec, Request, HTTPCore.Response, start: HTTPInstant, history: [Response]) {
        let policy = first.retries
        guard policy.maxRetries > 0 else { return try await sendFollowingRedirects(first) }
        var spec = first
        spec.deadline = RequestOptions(timeouts: spec.timeouts ?? configuration.timeouts).totalDeadline(clock: clock)
        retryBalance.withLock { $0.deposit() }
        var attempt = 0
        while true {
            let wait: Duration
            do {
                let result = try await sendFollowingRedirects(spec)
                let response = result.2
                guard attempt < policy.maxRetries, policy.statuses.contains(response.status.code), spec.mayRepeat,
                      let delay = retryDelay(policy, attempt: attempt, retryAfter: response.head.headerFields[.retryAfter], spec: spec)
                else { return result }
                // `.retry` before the body's `.responseAbandoned`: an observer must know the
                // attempt's end is not the request's (HTTPClientObserver).
                spec.trace?.record(.retry(attempt: attempt + 2, status: response.status.code, failure: nil), at: clock.now)
                response.body.close()
                Self.logRetry(spec, attempt: attempt, wait: delay, status: response.status.code, error: nil)
                wait = delay
            } catch let error as HTTPCoreError {
                guard attempt < policy.maxRetries, error.isSafeToRetry, error.isTransient, spec.body.isReplayable,
                      let delay = retryDelay(policy, attempt: attempt, retryAfter: nil, spec: spec)
                else { throw error }
                Self.logRetry(spec, attempt: attempt, wait: delay, status: nil, error: error)
                spec.trace?.record(.retry(attempt: attempt + 2, status: nil, failure: error.code), at: clock.now)
                wait = delay
            }
            try await clock.sleep(until: clock.now + wait)
            attempt += 1
        }
    }

    /// The wait before the next attempt, or nil when there is none: Retry-After longer than
    /// the policy allows, a wait that would pass the deadline, or the budget spent.
    private func retryDelay(_ policy: RetryPolicy, attempt: Int, retryAfter: String?, spec: RequestSpec) -> Duration? {
        var delay = policy.backoff(attempt: attempt)
        if let retryAfter {
            guard let asked = RetryAfter.delay(retryAfter, unixTime: CookieJar.systemUnixTime()), asked <= policy.maxRetryAfter else { return nil }
            delay = max(delay, asked)
        }
        if let deadline = spec.deadline, clock.now + delay >= deadline { return nil }
        return retryBalance.withLock { $0.withdraw() } ? delay : nil
    }
}

extension RequestSpec {
    /// RFC 9110 §9.2.2 idempotent methods, or a request with an Idempotency-Key: sending
    /// it twice does no more than sending it once.
    var mayRepeat: Bool {
        [.get, .head, .options, .trace, .put, .delete].contains(method)
            || headers.contains { $0.0.lowercased() == "idempotency-key" }
    }
}

extension HTTPCoreError {
    /// A failure another attempt may not meet: the network, a connect timeout, a connection
    /// or stream that could not take the request. Not a refused request or a bad response.
    var isTransient: Bool {
        switch category {
        case .network, .timeout(.connect), .unavailable: true
        default: code == .streamReset
        }
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
enum RetryAfter {
    static func delay(_ value: String, unixTime now: Int64) -> Duration? {
        let trimmed = value.trimmingSpaces
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return Int64(trimmed).map { .seconds($0) }
        }
        return CookieDate.parse(Substring(trimmed)).map { .seconds(max(0, $0 - now)) }
    }
}

private extension String {
    var trimmingSpaces: Substring { Substring(self).trimmingSpaces }
}

/// `Retry-After` parsing for tests (the type that does it is internal).
package enum RetryAfterProbe {
    package static func delay(_ value: String, now: Int64) -> Duration? { RetryAfter.delay(value, unixTime: now) }
}
