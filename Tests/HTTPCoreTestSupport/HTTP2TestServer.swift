package import HTTPCore
package import HTTPCoreHTTP2
import HTTPTypes

/// A small HTTP/2 server on an nghttp2 server session, run over any stream (usually the
/// server end of a `MockStreamPair`), for tests of the client:
///
/// - `GET /hello`: "hello"; `GET /bytes/N`: N bytes of `payloadChunk` data
/// - `POST /echo`: the request body back, and the request's trailers as response trailers
/// - `GET /trailers`: "body" then trailers `x-checksum: 42`
/// - `POST /echo-stream`: a 200 head at once, each DATA frame back as it arrives, and at the
///   end trailers `x-echo-bytes: N` (plus the request's trailers): full duplex
/// - `POST /reject`: a complete 413 at once, then RST_STREAM(NO_ERROR) (RFC 9113 §8.1: stop
///   sending the body), while the request body is still coming
/// - `GET /never`: no answer (the stream stays open)
/// - `GET /partial`: a head and 5 bytes, then nothing
/// - `GET /reset`: a head, 5 bytes, then RST_STREAM(INTERNAL_ERROR)
/// - anything else: 404
package final class HTTP2TestServer: @unchecked Sendable {
    // @unchecked: the session (through `locked`) and every `var` below are read and written
    // only inside `locked.withLock`. (The lock holds the session rather than `()`: TSan
    // mistakes accesses to a zero-sized locked value for races.)
    private let stream: any NetworkStream
    private let locked: Locked<NGHTTP2Session>
    private var requests: [Int32: (fields: HTTP2ReceivedHeaders, body: [UInt8], trailers: HTTPFields?)] = [:]
    /// Reused between reads, as the connection does.
    private var events: [NGHTTP2Session.Event] = []
    private var completed: [Int32] = []
    private var heads: [[(name: String, value: String)]] = []
    private var priorityUpdates: [(stream: Int32, value: String)] = []
    /// Streams to reset once what was queued for them has been written.
    private var resetAfterFlush: [(stream: Int32, code: UInt32)] = []
    private var resets: [(stream: Int32, code: UInt32)] = []
    /// `/echo-stream` streams and the bytes echoed so far.
    private var echoing: [Int32: Int] = [:]
    private var pings = 0
    /// Request body bytes received per stream (for `/reject`: how much came after the answer).
    private var received: [Int32: Int] = [:]

    package init(stream: any NetworkStream, maxConcurrentStreams: UInt32 = 100, streamWindow: Int32 = 4 << 20) throws {
        self.stream = stream
        var settings = NGHTTP2Session.Settings()
        settings.maxConcurrentStreams = maxConcurrentStreams
        settings.initialWindowSize = streamWindow
        locked = Locked(try NGHTTP2Session(role: .server, settings: settings))
    }

    /// Serves until the client goes away.
    package func run() async {
        await flush()
        while let bytes = try? await stream.read(maxBytes: 64 << 10, deadline: nil) {
            let ok = locked.withLock { session -> Bool in
                defer { events.removeAll(keepingCapacity: true) }
                guard session.receive(bytes, into: &events) == nil else { return false }
                for event in events { handle(event, session) }
                return true
            }
            await flush()
            if !ok { break }
        }
        await stream.close(.graceful)
    }

    /// Runs `body` on the session between reads (to send GOAWAY, PING, ...), then flushes.
    package func perform(_ body: (NGHTTP2Session) -> Void) async {
        locked.withLock { session in body(session) }
        await flush()
    }

    package var requestCount: Int { locked.withLock { _ in completed.count } }

    /// The request heads received so far, as name/value strings.
    package var requestHeads: [[(name: String, value: String)]] { locked.withLock { _ in heads } }

    /// PRIORITY_UPDATE frames the client sent.
    package var priorityUpdatesReceived: [(stream: Int32, value: String)] { locked.withLock { _ in priorityUpdates } }

    /// PING frames the client sent (not acknowledgements).
    package var pingsReceived: Int { locked.withLock { _ in pings } }

    /// Request body bytes received on `stream` so far.
    package func bodyBytesReceived(on stream: Int32) -> Int { locked.withLock { _ in received[stream, default: 0] } }

    /// RST_STREAM frames the client sent: stream id and error code.
    package var resetsReceived: [(stream: Int32, code: UInt32)] { locked.withLock { _ in resets } }

    private func flush() async {
        while true {
            let output = locked.withLock { session -> [UInt8] in
                var output: [UInt8] = []
                _ = session.takeOutput(into: &output)
                if output.isEmpty, !resetAfterFlush.isEmpty {
                    for (id, code) in resetAfterFlush { session.reset(stream: id, code: code) }
                    resetAfterFlush = []
                    var output: [UInt8] = []
                    _ = session.takeOutput(into: &output)
                    return output
                }
                return output
            }
            if output.isEmpty { return }
            if (try? await stream.write(output, deadline: nil)) == nil { return }
        }
    }

    private func handle(_ event: NGHTTP2Session.Event, _ session: NGHTTP2Session) {
        switch event {
        case .headers(let id, let fields, .head):
            requests[id] = (fields, [], nil)
            heads.append(fields.pairs)
            answerAtOnce(id, session)
        case .headers(let id, let fields, .trailers):
            requests[id]?.trailers = fields.fields
        case .data(let id, let bytes):
            received[id, default: 0] += bytes.count
            session.consume(bytes.count, stream: id)
            if echoing[id] != nil {
                echoing[id]! += bytes.count
                session.append(bytes, stream: id)
            } else {
                requests[id]?.body += bytes
            }
        case .endStream(let id):
            completed.append(id)
            if let count = echoing.removeValue(forKey: id) {
                let trailers = [("x-echo-bytes", String(count))] + HTTP2HeaderList(requests[id]?.trailers ?? [:])
                session.finish(stream: id, trailers: trailers)
                requests[id] = nil
            } else {
                respond(id, session)
            }
        case .resetByPeer(let id, let code):
            resets.append((id, code))
        case .priorityUpdate(let id, let value):
            priorityUpdates.append((id, value))
        case .pingReceived:
            pings += 1
        default:
            break
        }
    }

    /// Routes that answer at the head, before the request body.
    private func answerAtOnce(_ id: Int32, _ session: NGHTTP2Session) {
        guard let request = requests[id] else { return }
        let path = request.fields.path ?? "/"
        switch path {
        case "/echo-stream":
            echoing[id] = 0
            _ = session.submitResponse(stream: id, [(":status", "200")], hasBody: true)
        case "/reject":
            requests[id] = nil
            _ = session.submitResponse(stream: id, [(":status", "413")], hasBody: true)
            session.append(Array("too large".utf8), stream: id)
            session.finish(stream: id, trailers: nil)
            resetAfterFlush.append((id, 0))
        default:
            break
        }
    }

    private func respond(_ id: Int32, _ session: NGHTTP2Session) {
        guard let request = requests[id] else { return }
        let path = request.fields.path ?? "/"
        func answer(_ status: Int, _ body: [UInt8], trailers: HTTP2HeaderList? = nil, extra: HTTP2HeaderList = []) {
            let head = [(":status", String(status))] + extra
            _ = session.submitResponse(stream: id, head, hasBody: true)
            session.append(body, stream: id)
            session.finish(stream: id, trailers: trailers)
        }
        switch path {
        case "/hello":
            answer(200, Array("hello".utf8), extra: [("content-type", "text/plain")])
        case "/echo":
            answer(200, request.body, trailers: request.trailers.map(HTTP2HeaderList.init))
        case "/trailers":
            answer(200, Array("body".utf8), trailers: [("x-checksum", "42")])
        case "/never":
            break
        case "/partial":
            _ = session.submitResponse(stream: id, [(":status", "200")], hasBody: true)
            session.append(Array("12345".utf8), stream: id)
        case "/reset":
            _ = session.submitResponse(stream: id, [(":status", "200")], hasBody: true)
            session.append(Array("12345".utf8), stream: id)
            resetAfterFlush.append((id, 2))
        case let bytes where bytes.hasPrefix("/bytes/"):
            let count = Int(bytes.dropFirst(7)) ?? 0
            _ = session.submitResponse(stream: id, [(":status", "200"), ("content-length", String(count))], hasBody: true)
            var index = 0
            var left = count
            while left > 0 {
                let chunk = payloadChunk(index, size: 256 * 1024)
                session.append(left >= chunk.count ? chunk : Array(chunk.prefix(left)), stream: id)
                left -= min(left, chunk.count)
                index += 1
            }
            session.finish(stream: id, trailers: nil)
        default:
            answer(404, [])
        }
        requests[id] = nil
    }
}
