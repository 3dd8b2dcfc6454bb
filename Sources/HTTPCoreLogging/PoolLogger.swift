import HTTPCore
public import HTTPCoreHTTP2
public import HTTPCorePool
public import Logging

/// Logs what a `ConnectionPool` does through swift-log: connections opened, connected,
/// failed and closed at debug; requests queued, assigned and released, stream limits,
/// and every HTTP/2 frame at trace. Each record carries `connection-id` (the id in
/// `snapshot` and `events()`) and `origin`; none carries a field value, credential or
/// body byte (origins never include userinfo).
public struct PoolLogger: Sendable {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Logs every event of `pool` until it shuts down. Run it beside the pool (a task of
    /// its own, or a `ServiceGroup`).
    public func run(_ pool: ConnectionPool) async {
        await run(pool.events())
    }

    /// Logs `events` (from `ConnectionPool.events()`, subscribed to before the first
    /// request, so none is missed) until they end.
    public func run(_ events: AsyncStream<PoolEvent>) async {
        for await event in events { log(event) }
    }

    /// One record for `event`.
    public func log(_ event: PoolEvent) {
        switch event {
        case .connecting(let id, let origin):
            logger.debug("connection opening", metadata: Self.metadata(id, origin))
        case .connected(let id, let origin, let version):
            logger.debug("connection open", metadata: Self.metadata(id, origin).merging(["version": "\(version)"]) { $1 })
        case .connectFailed(let id, let origin, let code):
            logger.debug("connection failed", metadata: Self.metadata(id, origin).merging(["error": "\(code)"]) { $1 })
        case .closed(let id, let origin):
            logger.debug("connection closed", metadata: Self.metadata(id, origin))
        case .queued(let origin):
            logger.trace("request queued", metadata: ["origin": "\(origin)"])
        case .assigned(let id, let origin):
            logger.trace("request assigned", metadata: Self.metadata(id, origin))
        case .released(let id, let origin):
            logger.trace("request released", metadata: Self.metadata(id, origin))
        case .requestFailed(let origin, let code):
            logger.debug("queued request failed", metadata: ["origin": "\(origin)", "error": "\(code)"])
        case .requestLimitChanged(let id, let origin, let limit):
            logger.trace("stream limit changed", metadata: Self.metadata(id, origin).merging(["limit": "\(limit)"]) { $1 })
        }
    }

    /// For `ConnectionPool.Configuration.frameObserver`: each HTTP/2 frame at trace.
    public var frameObserver: @Sendable (_ connection: Int, HTTP2FrameEvent) -> Void {
        let logger = logger
        return { connection, frame in
            logger.trace("frame", metadata: ["connection-id": "\(connection)", "frame": "\(frame)"])
        }
    }

    static func metadata(_ id: Int, _ origin: Origin) -> Logger.Metadata {
        ["connection-id": "\(id)", "origin": "\(origin)"]
    }
}
