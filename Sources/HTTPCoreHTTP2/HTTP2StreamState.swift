import HTTPCore
import HTTPTypes

/// One stream as the state machine tracks it, from its opening until both the wire and
/// the application are done with it. It holds no waiter and no nghttp2 handle: what is
/// waiting is a flag, and the shell keeps the continuation.
///
/// The wire side follows RFC 9113 §5.1 (push is off, so "reserved" never happens; nghttp2
/// validates the frames, this type records what they did):
///
///                              +--------+
///                      send H /|  idle  |\ recv H
///                            / +--------+ \
///                           v              v
///                          +----------------+
///               recv ES   /|      open      |\   send ES
///                        / +----------------+ \
///                       v    |            |    v
///            +----------+    |            |    +----------+
///            |   half-  |    |            |    |   half-  |
///            |  closed  |    | send R /   |    |  closed  |
///            | (remote) |    | recv R     |    |  (local) |
///            +----------+    |            |    +----------+
///                 |          |            |          |
///                 | send ES /|            |\ recv ES |
///                 | send R / v            v \ recv R |
///                 |         +--------------+         |
///                 +-------->|    closed    |<--------+
///                           +--------------+
///
/// `localEnded` is "send ES", `remoteEnded` is "recv ES", and `wireClosed` is nghttp2's
/// stream-close callback (both ends, or a reset either way). The application side is
/// `consumerDone`: it took the end of what the peer sent, or let go of the stream.
struct HTTP2StreamState {
    enum Phase: Equatable {
        case open, halfClosedLocal, halfClosedRemote, closed
    }

    /// What the peer's first HEADERS carried: a response (client) or a request (server).
    enum Head {
        case response(HTTPResponse)
        case request(HTTPRequest)
    }

    /// The peer's final head, once it arrived (1xx are skipped).
    var head: Head?
    /// The application has taken the head.
    var headTaken = false
    /// Received body bytes the application has not taken; bounded by the stream window,
    /// because the window only reopens as the application takes them.
    var chunks: [[UInt8]] = []
    var nextChunk = 0
    /// Bytes of `chunks[nextChunk]` already taken by a partial read.
    var chunkOffset = 0
    var remoteEnded = false
    var trailers: HTTPFields?
    /// We queued the end of our side (the shell called `finish`); `localEnded` is when it
    /// actually left.
    var localFinished = false
    /// Server role: the response head was submitted.
    var responseStarted = false
    var localEnded = false
    var wireClosed = false
    var error: HTTPCoreError?
    var resetByPeer: UInt32?
    /// Body bytes we queued and nghttp2 has not framed yet (flow control holds them).
    var queuedBytes = 0
    /// Body bytes framed for the wire so far (`.requestSent` reports them).
    var framedBodyBytes: Int64 = 0

    /// Who is waiting, so an event knows whom to wake.
    var waitingForHead = false
    var waitingForData = false
    var waitingForRoom = false
    /// An upload task feeds this stream (`send` with a streamed body): stop it when the
    /// stream ends early.
    var uploading = false

    /// Server role: the latest RFC 9218 PRIORITY_UPDATE value the peer sent, such as `u=1, i`.
    var priority: String?
    /// Still counted against the peer's stream limit (opened by us, not yet closed).
    var holdsSlot: Bool
    /// The application took the end of the peer's side, or let go of the stream.
    var consumerDone = false

    /// The request's trace, told when the request's last frame is sent.
    var trace: RequestTrace?
    var readTimeout: Duration?
    var writeTimeout: Duration?
    /// The request's total deadline: caps every wait on this stream.
    var totalDeadline: HTTPInstant?
    /// When the current wait for the peer (head or data) times out.
    var readDeadline: HTTPInstant?
    /// When the current wait for upload room times out.
    var writeDeadline: HTTPInstant?

    init(holdsSlot: Bool) {
        self.holdsSlot = holdsSlot
    }

    var phase: Phase {
        if wireClosed { return .closed }
        switch (localEnded, remoteEnded) {
        case (false, false): return .open
        case (true, false): return .halfClosedLocal
        case (false, true): return .halfClosedRemote
        case (true, true): return .closed
        }
    }

    var hasBufferedBody: Bool { nextChunk < chunks.count }

    var bufferedBytes: Int {
        guard hasBufferedBody else { return 0 }
        return chunks[nextChunk...].reduce(0) { $0 + $1.count } - chunkOffset
    }

    /// Takes up to `maxBytes` of buffered body (a whole chunk when it fits, so the common
    /// read copies nothing).
    mutating func take(maxBytes: Int) -> [UInt8] {
        let chunk = chunks[nextChunk]
        let available = chunk.count - chunkOffset
        let bytes: [UInt8]
        if chunkOffset == 0, available <= maxBytes {
            bytes = chunk
            nextChunk += 1
        } else if available <= maxBytes {
            bytes = Array(chunk[chunkOffset...])
            nextChunk += 1
            chunkOffset = 0
        } else {
            bytes = Array(chunk[chunkOffset..<(chunkOffset + maxBytes)])
            chunkOffset += maxBytes
        }
        if nextChunk == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            nextChunk = 0
        }
        return bytes
    }

    /// The earliest of this stream's deadlines.
    var deadline: HTTPInstant? {
        switch (readDeadline, writeDeadline) {
        case let (a?, b?): min(a, b)
        case let (a, b): a ?? b
        }
    }
}
