/// Control over the stream that carries a response, reachable from the `Response` through
/// every layer that rewraps it (the pool, the client's decoding), since none of them can
/// find the connection behind the response by downcasting its body any more.
///
/// HTTP/2 responses carry one; HTTP/1.1 responses have none (`Response.streamControl` is
/// nil): the protocol has neither priority signals on a started exchange nor PING.
public protocol ResponseStreamControl: Sendable {
    /// Sends RFC 9218 PRIORITY_UPDATE for the response's stream, so the server can reorder
    /// what it sends. False when it cannot be sent: the peer does not read RFC 9218
    /// signals, the stream has closed, or the connection has.
    func updatePriority(to priority: Priority) async -> Bool
    /// Pings the connection the response came on and returns the time until the answer
    /// (a round-trip time, or a liveness check while the body is slow to come).
    func pingConnection() async throws -> Duration
}
