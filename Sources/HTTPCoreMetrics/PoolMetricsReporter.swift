public import CoreMetrics
public import HTTPCoreClient
public import HTTPCorePool
import HTTPCore
import Synchronization

/// swift-metrics gauges of a `ConnectionPool`: its connections per origin, protocol and
/// state, the requests waiting for one, and the HTTP/2 streams in use against the
/// peers' limits. `run()` follows the pool's events and sets the gauges from a snapshot
/// after each, until the pool shuts down; it is a `run()` as swift-service-lifecycle's
/// `Service` has, so a `ServiceGroup` can run it beside the application.
///
///     let reporter = PoolMetricsReporter(pool: client.pool!)
///     Task { await reporter.run() }
///
/// | Metric | Kind | Dimensions | What |
/// |---|---|---|---|
/// | `http.client.open_connections` | Gauge | `http.connection.state` (`active`, `idle`), `server.address`, `server.port`, `url.scheme`, `network.protocol.version` | open connections (a draining one with requests is active; one still connecting is not counted) |
/// | `httpcore.pool.queued_requests` | Gauge | `server.address`, `server.port`, `url.scheme` | requests waiting for a connection |
/// | `httpcore.pool.http2.streams_in_use` | Gauge | `server.address`, `server.port`, `url.scheme` | requests on the origin's HTTP/2 connections |
/// | `httpcore.pool.http2.stream_limit` | Gauge | `server.address`, `server.port`, `url.scheme` | the sum of those connections' stream limits (the peers' SETTINGS_MAX_CONCURRENT_STREAMS) |
///
/// A series that was reported and has nothing left (an origin's last connection closed)
/// is set to 0, not left at its last value.
public final class PoolMetricsReporter: Sendable {
    public static let openConnections = "http.client.open_connections"
    public static let queuedRequests = "httpcore.pool.queued_requests"
    public static let streamsInUse = "httpcore.pool.http2.streams_in_use"
    public static let streamLimit = "httpcore.pool.http2.stream_limit"

    /// One gauge series: its label and dimensions.
    private struct Series: Hashable {
        var label: String
        var dimensions: [String]

        var pairs: [(String, String)] { stride(from: 0, to: dimensions.count, by: 2).map { (dimensions[$0], dimensions[$0 + 1]) } }

        init(_ label: String, _ pairs: [(String, String)]) {
            self.label = label
            dimensions = pairs.flatMap { [$0.0, $0.1] }
        }
    }

    private let pool: ConnectionPool
    private let factory: any MetricsFactory
    /// The series set to a value other than 0 by the last report.
    private let reported = Mutex<Set<Series>>([])

    public init(pool: ConnectionPool, factory: any MetricsFactory = MetricsSystem.factory) {
        self.pool = pool
        self.factory = factory
    }

    /// The reporter of `client`'s pool; nil when the client sends through a configured
    /// transport (it has no pool).
    public convenience init?(client: HTTPClient, factory: any MetricsFactory = MetricsSystem.factory) {
        guard let pool = client.pool else { return nil }
        self.init(pool: pool, factory: factory)
    }

    /// Reports now and after each of the pool's events; returns when the pool has shut
    /// down (its last report shows it empty) or the task is cancelled.
    public func run() async {
        await run(following: pool.events())
    }

    /// `run()` over a subscription taken already (a test takes it before the requests it
    /// watches, so none of their events can come before it).
    func run(following events: AsyncStream<PoolEvent>) async {
        report(pool.snapshot)
        for await _ in events {
            report(pool.snapshot)
        }
        report(pool.snapshot)
    }

    /// Sets every gauge from `snapshot`.
    public func report(_ snapshot: PoolSnapshot) {
        var values: [Series: Int] = [:]
        for entry in snapshot.origins {
            let origin = MetricDimensions.origin(entry.origin)
            values[Series(Self.queuedRequests, origin), default: 0] += entry.queuedRequests
            for connection in entry.connections {
                guard let version = connection.version else { continue } // connecting
                let state: String
                switch connection.state {
                case .connecting: continue
                case .idle: state = "idle"
                case .active: state = "active"
                case .draining:
                    guard connection.requestsInUse > 0 else { continue }
                    state = "active"
                }
                let dimensions = [(MetricDimensions.connectionState, state)] + origin
                    + [(MetricDimensions.protocolVersion, MetricDimensions.protocolVersion(version))]
                values[Series(Self.openConnections, dimensions), default: 0] += 1
                if version == .http2 {
                    values[Series(Self.streamsInUse, origin), default: 0] += connection.requestsInUse
                    values[Series(Self.streamLimit, origin), default: 0] += connection.requestLimit
                }
            }
        }
        let zeroed = reported.withLock { reported in
            let now = Set(values.filter { $0.value != 0 }.keys)
            defer { reported = now }
            return reported.subtracting(values.keys)
        }
        for (series, value) in values {
            Gauge(label: series.label, dimensions: series.pairs, factory: factory).record(value)
        }
        for series in zeroed {
            Gauge(label: series.label, dimensions: series.pairs, factory: factory).record(0)
        }
    }
}
