package import HTTPCore

/// An HTTP/1.1 server for one request with a chunked body: it answers with a chunked
/// `200` head at once and sends the request's body back as its bytes arrive (the chunk
/// framing is the same both ways, so the bytes are forwarded unchanged). This is the
/// full-duplex case: a client that writes its whole body before reading deadlocks
/// against it once both directions' buffers fill, and a client that reads while it
/// writes gets every chunk back before it sends the next.
///
/// The body's end is found as the bytes `0\r\n\r\n` (no trailers, and no chunk whose data
/// ends in `\r\n0\r\n`): enough for tests that choose the chunks. Returns the number of
/// body bytes (framing included) echoed; closes the stream gracefully at the end.
@discardableResult
package func serveChunkedEcho(_ stream: any NetworkStream) async throws -> Int {
    defer { Task { await stream.close(.graceful) } }
    let headEnd = Array("\r\n\r\n".utf8)
    let lastChunk = Array("0\r\n\r\n".utf8)
    var pending: [UInt8] = []
    while true {
        if let end = pending.firstRange(of: headEnd) {
            pending.removeSubrange(..<end.upperBound)
            break
        }
        guard let bytes = try await stream.read(maxBytes: 64 << 10) else { return 0 }
        pending += bytes
    }
    try await stream.write(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
    var tail: [UInt8] = []
    var echoed = 0
    while true {
        if !pending.isEmpty {
            try await stream.write(pending)
            echoed += pending.count
            tail = Array((tail + pending).suffix(lastChunk.count))
        }
        if tail == lastChunk { return echoed }
        guard let bytes = try await stream.read(maxBytes: 64 << 10) else { return echoed }
        pending = bytes
    }
}
