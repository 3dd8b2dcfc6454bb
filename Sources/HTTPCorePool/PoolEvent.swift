public import HTTPCore

/// Something the pool did, in the order it did it (`ConnectionPool.events()`).
/// Connection ids match `PoolSnapshot`.
public enum PoolEvent: Sendable, Equatable {
    /// A connection is being opened (TCP or Unix socket, then TLS).
    case connecting(connection: Int, origin: Origin)
    case connected(connection: Int, origin: Origin, version: HTTPVersion)
    case connectFailed(connection: Int, origin: Origin, HTTPCoreError.Code)
    /// The connection was closed: expired, beyond the keep-alive limit, unusable,
    /// abandoned while connecting, or the pool shut down.
    case closed(connection: Int, origin: Origin)
    /// A request found no free connection and waits.
    case queued(origin: Origin)
    case assigned(connection: Int, origin: Origin)
    /// A request gave its connection back (its response body ended or was dropped).
    case released(connection: Int, origin: Origin)
    /// A waiting request failed without a connection (connect failure, shutdown).
    case requestFailed(origin: Origin, HTTPCoreError.Code)
    /// An HTTP/2 peer changed its stream limit.
    case requestLimitChanged(connection: Int, origin: Origin, limit: Int)
}
