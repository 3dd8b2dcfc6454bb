import HTTPCore

/// The `Response.streamControl` of an HTTP/2 response: its connection and stream id, so a
/// caller that got the response through the pool or the client (which rewrap the body)
/// can still send PRIORITY_UPDATE for the stream and PING the connection.
struct HTTP2StreamControl: ResponseStreamControl {
    let connection: HTTP2Connection
    let id: Int32

    /// RFC 9218 PRIORITY_UPDATE: only when the peer reads RFC 9218 signals (it sent
    /// SETTINGS_NO_RFC7540_PRIORITIES = 1) and the stream is still open.
    func updatePriority(to priority: Priority) async -> Bool {
        await connection.updatePriority(of: HTTP2StreamID(id), to: priority)
    }

    func pingConnection() async throws -> Duration {
        try await connection.ping()
    }
}
