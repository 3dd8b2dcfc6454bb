public import CoreMetrics
import HTTPCore
public import HTTPCoreServer
import HTTPTypes
import Metrics

/// swift-metrics for an `HTTPServer`, from its typed events: pass `record` as the
/// server's `Configuration.onEvent` (or call it from yours).
///
///     let metrics = HTTPServerMetrics()
///     var configuration = HTTPServer.Configuration()
///     configuration.onEvent = metrics.record
///
/// | Metric | Kind | Dimensions | What |
/// |---|---|---|---|
/// | `httpcore.server.active_connections` | Meter | none | connections open (accepted, not yet ended) |
/// | `httpcore.server.connections_ended` | Counter | `httpcore.connection.end` | connections ended, by cause (`refused`: closed at accept by `maxConnections`) |
/// | `http.server.active_requests` | Meter | `http.request.method` | requests whose handler runs now |
/// | `http.server.request.duration` | Timer | `http.request.method`, `http.response.status_code`, `network.protocol.version` | from the request's turn to its exchange's end |
/// | `http.server.response.body.size` | Recorder | `http.request.method`, `http.response.status_code` | response body bytes the handler sent |
/// | `httpcore.server.errors` | Counter | `error.type` | handlers that threw, by `HTTPCoreError.Category` (`handler` for other errors) |
/// | `httpcore.server.refused_streams` | Counter | none | HTTP/2 streams refused with REFUSED_STREAM (past the stream limit before the client acknowledged it) |
///
/// Request metrics come from `.requests` handlers (a `.connections` handler runs its
/// exchanges itself). Nothing is recorded from a path, a field or a body.
public final class HTTPServerMetrics: Sendable {
    public static let activeConnections = "httpcore.server.active_connections"
    public static let connectionsEnded = "httpcore.server.connections_ended"
    public static let activeRequests = "http.server.active_requests"
    public static let duration = "http.server.request.duration"
    public static let responseBodySize = "http.server.response.body.size"
    public static let errors = "httpcore.server.errors"
    public static let refusedStreams = "httpcore.server.refused_streams"

    private let factory: any MetricsFactory
    private let connections: Meter
    private let refused: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        connections = Meter(label: Self.activeConnections, factory: factory)
        refused = Counter(label: Self.refusedStreams, factory: factory)
    }

    public func record(_ event: HTTPServer.Event) {
        switch event {
        case .connectionOpened:
            connections.increment()
        case .connectionEnded(let end, _, _):
            if end != .refused { connections.decrement() }
            Counter(label: Self.connectionsEnded, dimensions: [(MetricDimensions.connectionEnd, "\(end)")], factory: factory).increment()
        case .requestStarted(let method, _, _, _):
            inFlight(method).increment()
        case .requestFailed(let error, _, _, _):
            let type = (error as? HTTPCoreError).map { "\($0.category)" } ?? "handler"
            Counter(label: Self.errors, dimensions: [(MetricDimensions.errorType, type)], factory: factory).increment()
        case .streamsRefused(let count, _):
            refused.increment(by: count)
        case .requestEnded(let outcome):
            inFlight(outcome.method).decrement()
            let method = MetricDimensions.method(outcome.method), status = MetricDimensions.statusClass(outcome.status)
            Timer(
                label: Self.duration,
                dimensions: [
                    (MetricDimensions.method, method), (MetricDimensions.statusCode, status),
                    (MetricDimensions.protocolVersion, MetricDimensions.protocolVersion(outcome.version)),
                ],
                factory: factory
            ).record(duration: outcome.duration)
            Recorder(
                label: Self.responseBodySize, dimensions: [(MetricDimensions.method, method), (MetricDimensions.statusCode, status)],
                factory: factory
            ).record(outcome.responseBodyBytes)
        }
    }

    private func inFlight(_ method: HTTPRequest.Method) -> Meter {
        Meter(label: Self.activeRequests, dimensions: [(MetricDimensions.method, MetricDimensions.method(method))], factory: factory)
    }
}
