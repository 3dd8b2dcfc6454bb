import HTTPCore
import HTTPTypes

/// One request's stream as the connection tracks it, from submission until the consumer
/// has taken the body's end (or let go of it).
struct HTTP2StreamState {
    /// Resumed with the final response head.
    let head = Waiter<HTTPResponse>()
    var headDelivered = false
    /// Received body bytes the consumer has not taken; bounded by the stream window,
    /// because the window only reopens as the consumer takes them.
    var chunks: [[UInt8]] = []
    var nextChunk = 0
    var ended = false
    var trailers: HTTPFields?
    var error: HTTPCoreError?
    /// The consumer waiting for body bytes.
    var bodyWaiter: Waiter<Void>?
    /// The request body's sender waiting for room in the upload queue.
    var uploadWaiter: Waiter<Void>?
    var resetByPeer: UInt32?
    /// Still counted against the peer's stream limit (nghttp2 has not closed it).
    var holdsSlot = true
    /// The consumer took the body's end before the stream closed.
    var consumerDone = false
    /// The request's trace, told when the request's last frame is sent.
    var trace: RequestTrace?
    /// The request's read timeout, applied to each wait for the head or body bytes.
    var readTimeout: Duration?
    /// The request's total deadline: caps every wait on this stream.
    var totalDeadline: HTTPInstant?
    /// When the current wait times out (see HTTP2Connection+Timeouts).
    var deadline: HTTPInstant?
    var deadlineIsWrite = false

    var hasBufferedBody: Bool { nextChunk < chunks.count }

    mutating func takeChunk() -> [UInt8] {
        let chunk = chunks[nextChunk]
        nextChunk += 1
        if nextChunk == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            nextChunk = 0
        }
        return chunk
    }

    /// Ends every wait on this stream with `error` (the head, the body, the upload).
    mutating func fail(_ error: HTTPCoreError) {
        if self.error == nil { self.error = error }
        if !headDelivered { head.resume(throwing: self.error!) }
        wakeReaders()
    }

    mutating func wakeReaders() {
        bodyWaiter?.resume(returning: ())
        bodyWaiter = nil
        uploadWaiter?.resume(returning: ())
        uploadWaiter = nil
    }
}
