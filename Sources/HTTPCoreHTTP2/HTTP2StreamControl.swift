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
        let id = self.id
        let sent = connection.core.withLock { core -> Bool in
            guard core.closeError == nil, core.session.peerAllowsPriorityUpdate,
                  core.streams[id]?.holdsSlot == true else { return false }
            core.session.priorityUpdate(stream: id, priority.headerValue)
            return true
        }
        if sent { await connection.flush() }
        return sent
    }

    func pingConnection() async throws -> Duration {
        try await connection.ping()
    }
}
