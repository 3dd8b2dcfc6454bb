public import CoreMetrics
public import HTTPCore
public import HTTPCoreClient
public import HTTPTypes
import Metrics
import Synchronization

/// swift-metrics for every request an `HTTPClient` sends, from its `RequestTrace`
/// events: set it in `HTTPClient.Configuration.observers`.
///
///     var configuration = HTTPClient.Configuration()
///     configuration.observers = [HTTPClientMetrics()]
///
/// Each attempt counts once: a redirect hop, a retry and an auth round each are a request
/// on the wire, as OpenTelemetry counts them. Durations run from the attempt's start in
/// the pool (queueing and connecting included) to its last event: the body's end, its
/// abandonment or the failure.
///
/// | Metric | Kind | Dimensions | What |
/// |---|---|---|---|
/// | `httpcore.client.requests` | Counter | `http.request.method`, `http.response.status_code` | attempts ended, by status class (`none`: no response) |
/// | `http.client.request.duration` | Timer | `http.request.method`, `http.response.status_code` | attempt start to its end |
/// | `httpcore.client.errors` | Counter | `http.request.method`, `error.type` | attempts that failed, by `HTTPCoreError.Category`; a failure the client retried counts too |
/// | `http.client.request.body.size` | Recorder | `http.request.method` | request body bytes sent |
/// | `http.client.response.body.size` | Recorder | `http.request.method`, `http.response.status_code` | response body bytes received (before content decoding) |
/// | `http.client.request.time_in_queue` | Timer | `http.request.method` | time in the pool beyond the connection's own setup (`RequestMetrics.wait`) |
///
/// Pass a `factory` to use one other than `MetricsSystem.factory` (tests pass a
/// `TestMetrics`). Nothing is recorded from a URL, a field or a body.
public struct HTTPClientMetrics: HTTPClientObserver {
    public static let requests = "httpcore.client.requests"
    public static let duration = "http.client.request.duration"
    public static let errors = "httpcore.client.errors"
    public static let requestBodySize = "http.client.request.body.size"
    public static let responseBodySize = "http.client.response.body.size"
    public static let timeInQueue = "http.client.request.time_in_queue"

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    public func requestStarting(_ request: ObservedRequest, fields: inout HTTPFields) -> RequestTrace? {
        let meter = AttemptMeter(method: MetricDimensions.method(request.method), factory: factory)
        return RequestTrace { entry in meter.record(entry) }
    }
}

/// One request's attempts as its events arrive: each attempt's entries until its end,
/// then its figures.
final class AttemptMeter: Sendable {
    private struct Attempt {
        var entries: [RequestTrace.Entry] = []
        /// Reported already (its final event came).
        var ended = false
        /// The failure of a `.retry` that ended the attempt without a final event (the
        /// client sent the request again after it).
        var retriedFailure: HTTPCoreError.Code?
    }

    private let method: String
    private let factory: any MetricsFactory
    private let attempt = Mutex(Attempt())

    init(method: String, factory: any MetricsFactory) {
        self.method = method
        self.factory = factory
    }

    func record(_ entry: RequestTrace.Entry) {
        let finished = attempt.withLock { attempt -> (entries: [RequestTrace.Entry], failure: HTTPCoreError.Code?)? in
            var previous: (entries: [RequestTrace.Entry], failure: HTTPCoreError.Code?)?
            switch entry.event {
            case .started:
                // An attempt with no final event before another start ended in a failure
                // the client retried: its `.retry` names it.
                if !attempt.entries.isEmpty, !attempt.ended { previous = (attempt.entries, attempt.retriedFailure) }
                attempt = Attempt()
            case .retry(_, _, let failure):
                attempt.retriedFailure = failure
            default:
                break
            }
            attempt.entries.append(entry)
            if entry.event.isFinal, !attempt.ended {
                attempt.ended = true
                return (attempt.entries, nil)
            }
            return previous
        }
        if let finished { report(finished.entries, retriedFailure: finished.failure) }
    }

    private func report(_ entries: [RequestTrace.Entry], retriedFailure: HTTPCoreError.Code?) {
        guard let first = entries.first, let last = entries.last else { return }
        let metrics = RequestMetrics(entries)
        let status = MetricDimensions.statusClass(metrics.status)
        let byStatus = [(MetricDimensions.method, method), (MetricDimensions.statusCode, status)]
        let byMethod = [(MetricDimensions.method, method)]
        Counter(label: HTTPClientMetrics.requests, dimensions: byStatus, factory: factory).increment()
        Timer(label: HTTPClientMetrics.duration, dimensions: byStatus, factory: factory).record(duration: first.at.duration(to: last.at))
        Recorder(label: HTTPClientMetrics.requestBodySize, dimensions: byMethod, factory: factory).record(metrics.requestBodyBytes)
        if metrics.status != nil {
            Recorder(label: HTTPClientMetrics.responseBodySize, dimensions: byStatus, factory: factory).record(metrics.responseBodyBytes)
        }
        if let wait = metrics.wait {
            Timer(label: HTTPClientMetrics.timeInQueue, dimensions: byMethod, factory: factory).record(duration: wait)
        }
        if let category = metrics.error?.category ?? retriedFailure?.category {
            Counter(
                label: HTTPClientMetrics.errors, dimensions: [(MetricDimensions.method, method), (MetricDimensions.errorType, "\(category)")],
                factory: factory
            ).increment()
        }
    }
}
