public import HTTPCore
import HTTPTypes
import Synchronization

extension HTTP2Connection {
    /// Sends `request` on a new stream and returns once the response head arrives, whether
    /// or not a streamed request body has finished: the upload goes on beside the download
    /// (full duplex), and an early complete response ends it cleanly. Waits (FIFO) while
    /// the peer's stream limit is reached.
    public func send(_ request: Request) async throws -> Response {
        if Task.isCancelled {
            throw HTTPCoreError(.cancelled, "the task was cancelled before the request started", processing: .notProcessed)
        }
        if let requested = request.origin, requested != origin {
            throw HTTPCoreError(.invalidRequest, "a connection to \(origin) cannot send a request for \(requested)", processing: .notProcessed)
        }
        let fields = try HTTP2Fields.request(request, origin: origin)
        let trailers = request.body.trailers.map(HTTP2HeaderList.init)
        let body: OpeningBody = switch request.body.storage {
        case .empty: trailers == nil ? .none : .bytes([], trailers: trailers)
        case .bytes(let bytes): bytes.isEmpty && trailers == nil ? .none : .bytes(bytes, trailers: trailers)
        case .stream: .streamed(request.body, trailers: trailers)
        }
        let options = request.options
        let totalDeadline = options.totalDeadline(clock: clock)
        try await acquireSlot(deadline: totalDeadline)
        let id = try openStream(fields, body: body, options: HTTP2StateMachine.StreamOptions(
            readTimeout: options.timeouts.read, writeTimeout: options.timeouts.write, totalDeadline: totalDeadline, trace: options.trace
        ))
        scheduleFlush()
        do {
            guard case .response(let head) = try await awaitHead(id) else {
                throw HTTPCoreError(.malformedResponse, "a request head where a response was due")
            }
            return Response(
                head: head, body: ResponseBody(source: HTTP2ResponseBodySource(connection: self, id: id)), version: .http2,
                streamControl: HTTP2StreamControl(connection: self, id: id)
            )
        } catch {
            cancelStream(id)
            throw HTTPCoreError.from(error, default: .readFailed)
        }
    }
}

/// Feeds a `ResponseBody` from one stream. Taking bytes reopens the flow-control windows
/// (WINDOW_UPDATE), so the peer sends only as fast as we read.
final class HTTP2ResponseBodySource: ResponseBodySource {
    let connection: HTTP2Connection
    let id: Int32
    /// Inline, not a `Locked`: one allocation less per response.
    private let finished = Atomic(false)

    init(connection: HTTP2Connection, id: Int32) {
        self.connection = connection
        self.id = id
    }

    func nextPart() async throws -> ResponseBodyPart {
        switch try await connection.readChunk(id, maxBytes: .max) {
        case .data(let bytes):
            return .data(bytes)
        case .end(let trailers):
            finished.store(true, ordering: .releasing)
            return .end(trailers)
        }
    }

    func release() {
        guard !finished.load(ordering: .acquiring) else { return }
        connection.cancelStream(id)
    }
}
