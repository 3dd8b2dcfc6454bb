/// What a connection reports to its observer (`Connection.observe`), so the pool hears
/// of changes to what it planned from without polling.
public enum ConnectionChange: Sendable, Equatable {
    /// The number of requests it takes at once: its first known value, then each change
    /// (HTTP/2: the peer's SETTINGS_MAX_CONCURRENT_STREAMS).
    case requestLimit(Int)
    /// No new requests from now on: GOAWAY received, or the connection ended.
    case stoppedAcceptingRequests
}
