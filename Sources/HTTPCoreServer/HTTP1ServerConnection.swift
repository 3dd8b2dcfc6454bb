import HTTPCore
import HTTPCoreHTTP1
import HTTPTypes

/// `HTTPServerConnection` over HTTP/1.1: requests one after another on one stream
/// (pipelined ones parsed in order from what is buffered), keep-alive, chunked bodies both
/// ways, `Expect: 100-continue` (the 100 goes when the body is first read), trailers, HEAD.
///
/// Reading (`receiveRequest`, `readStream`, `receiveTrailers`) is one task's job at a time;
/// writing the response may run beside it (full duplex). The next `receiveRequest`
/// returns once the previous response has ended, after discarding any of the previous
/// request's body nobody read. A request the parser refuses gets its status (400, 414,
/// 431, 501, 505) with `Connection: close`, and the connection ends; so does a client that
/// sends no complete head within `timeouts.requestHead` (408), stalls its body past
/// `timeouts.body` (408 when no response has begun), stops taking the response for
/// `timeouts.write`, or stays idle past `timeouts.idle`. The first of these (or a reset,
/// or the client's close) is the connection's `end`.
final class HTTP1ServerConnection: ServedConnection {
    private struct Reader {
        var parser: HTTP1RequestParser
        /// The request being read: its id, and whether its body has ended.
        var current: Int64 = 0
        var bodyEnded = true
        var trailers = HTTPFields()
        /// Body bytes parsed but not yet handed out (a read asked for fewer).
        var leftover: [UInt8] = []
        var continuePending = false
    }

    private struct Writer {
        /// The response to `current`: not started, streaming with a framing, or ended.
        var started = false
        var ended = true
        var framing = HTTP1ResponseEncoder.Framing.none
        var remaining = 0
        var headRequest = false
        var keepAlive = true
        var draining = false
        /// Resumed when the response in flight ends (the next request may be read).
        var endWaiter: Waiter<Void>?
    }

    let stream: any NetworkStream
    let clock: any HTTPClock
    let timeouts: HTTPServer.Timeouts
    private let reader: Locked<Reader>
    private let writer = Locked(Writer())
    private let ending = Locked<HTTPServer.ConnectionEnd?>(nil)
    private let readSize = 64 << 10
    /// The first request's head must be complete by then (`timeouts.requestHead` from the
    /// connection's start).
    private let firstHeadDeadline: HTTPInstant?

    init(stream: any NetworkStream, clock: any HTTPClock, limits: HTTP1Limits, timeouts: HTTPServer.Timeouts) {
        self.stream = stream
        self.clock = clock
        self.timeouts = timeouts
        firstHeadDeadline = timeouts.requestHead.map { clock.now + $0 }
        let scheme = stream.info.alpn == nil && stream.info.tlsVersion == nil ? "http" : "https"
        reader = Locked(Reader(parser: HTTP1RequestParser(limits: limits, scheme: scheme)))
    }

    var version: HTTPVersion { .http1_1 }
    var end: HTTPServer.ConnectionEnd { ending.withLock { $0 } ?? .closed }

    /// Records why the connection ends; the first cause stays.
    private func ended(_ cause: HTTPServer.ConnectionEnd) {
        ending.withLock { $0 = $0 ?? cause }
    }
    var info: NetworkStreamInfo { stream.info }

    // MARK: - Requests

    func receiveRequest() async throws -> (stream: HTTPServerStreamID, head: HTTPRequest)? {
        try await awaitResponseEnd()
        let (keepAlive, draining) = writer.withLock { ($0.keepAlive, $0.draining) }
        guard keepAlive, !draining else {
            ended(draining ? .shutdown : .closed)
            return nil
        }
        // What is left of the previous request's body goes unread: discard it.
        while !reader.withLock({ $0.bodyEnded }) {
            guard try await nextBodyPiece(discarding: true) != nil else { break }
        }
        // The head has one deadline, not one per read: a slowloris client trickling a byte
        // at a time would otherwise restart it forever. It runs from the connection's start
        // for the first request, and from the head's first byte after that (the wait for
        // that byte is the idle timeout).
        var headDeadline = reader.withLock { $0.current } == 0 ? firstHeadDeadline : nil
        while true {
            let step = reader.withLock { reader -> Result<HTTP1RequestEvent?, HTTP1ParseError> in
                Result { () throws(HTTP1ParseError) in try reader.parser.next() }
            }
            switch step {
            case .failure(let error):
                ended(.protocolError)
                await refuse(error.requestStatus)
                return nil
            case .success(.head(let head)):
                let (id, keepAlive, head) = reader.withLock { reader -> (Int64, Bool, HTTPRequest) in
                    reader.current += 1
                    reader.bodyEnded = false
                    reader.trailers = HTTPFields()
                    reader.leftover = []
                    reader.continuePending = reader.parser.expectsContinue
                    return (reader.current, reader.parser.keepAlive, head)
                }
                writer.withLock { writer in
                    writer = Writer(started: false, ended: false, keepAlive: keepAlive && !writer.draining, draining: writer.draining)
                    writer.headRequest = head.method == .head
                }
                return (HTTPServerStreamID(id), head)
            case .success(.some):
                continue // body events of a request already handed out cannot come here
            case .success(nil):
                if reader.withLock({ $0.parser.isFinished }) {
                    ended(.closed)
                    return nil
                }
                let partial = reader.withLock { $0.parser.bufferedByteCount > 0 }
                if partial, headDeadline == nil { headDeadline = timeouts.requestHead.map { clock.now + $0 } }
                let deadline = headDeadline ?? timeouts.idle.map { clock.now + $0 }
                do {
                    guard try await fill(deadline: deadline) else {
                        ended(partial ? .aborted : .closed)
                        return nil
                    }
                } catch let error as HTTPCoreError where error.code == .readTimeout {
                    ended(.timeout(headDeadline == nil ? .idle : .requestHead))
                    if partial { await refuse(.requestTimeout) } else { await stream.close(.graceful) }
                    return nil
                } catch {
                    ended(.aborted)
                    throw error
                }
            }
        }
    }

    func readStream(_ id: HTTPServerStreamID, maxBytes: Int?) async throws -> [UInt8] {
        try check(id)
        try await sendContinueIfPending()
        var collected: [UInt8] = []
        while true {
            let limit = maxBytes.map { $0 - collected.count } ?? .max
            guard let piece = try await nextBodyPiece(limit: limit) else { return collected }
            if maxBytes != nil { return piece }
            collected += piece
        }
    }

    func receiveTrailers(on id: HTTPServerStreamID) async throws -> HTTPFields {
        try check(id)
        try await sendContinueIfPending()
        while try await nextBodyPiece(discarding: true) != nil {}
        return reader.withLock { $0.trailers }
    }

    /// The next body piece of the current request (at most `limit` bytes), or nil at its
    /// end. Reads the stream as needed, bounded by `timeouts.body`.
    private func nextBodyPiece(limit: Int = .max, discarding: Bool = false) async throws -> [UInt8]? {
        while true {
            let step: Result<[UInt8]?, HTTP1ParseError>? = reader.withLock { reader in
                if !reader.leftover.isEmpty {
                    let count = min(limit, reader.leftover.count)
                    defer { reader.leftover.removeFirst(count) }
                    return .success(Array(reader.leftover[..<count]))
                }
                if reader.bodyEnded { return .success(nil) }
                do throws(HTTP1ParseError) {
                    switch try reader.parser.next() {
                    case .body(let bytes):
                        if bytes.count <= limit || discarding { return .success(bytes) }
                        reader.leftover = Array(bytes[limit...])
                        return .success(Array(bytes[..<limit]))
                    case .trailers(let trailers):
                        // The trailer section's last line ends the message: take the end
                        // now, not after waiting for bytes a client done sending never sends.
                        reader.trailers = trailers
                        guard case .end? = try reader.parser.next() else { return nil }
                        reader.bodyEnded = true
                        return .success(nil)
                    case .end:
                        reader.bodyEnded = true
                        return .success(nil)
                    case .head, nil:
                        return nil // needs bytes (a head cannot come before `.end`)
                    }
                } catch {
                    return .failure(error)
                }
            }
            switch step {
            case .success(let piece): return piece
            case .failure(let error):
                // A body cut short is the client gone (killed, or its link lost), not a
                // malformed request: the handler sees a network failure.
                let truncated = error == .truncatedBody
                ended(truncated ? .aborted : .protocolError)
                await refuse(error.requestStatus)
                if truncated { throw HTTPCoreError(.truncatedRequest, "the client's connection ended in the middle of the request body") }
                throw error.coreError
            case nil:
                if reader.withLock({ $0.bodyEnded }) { return nil }
                if reader.withLock({ !$0.leftover.isEmpty }) { continue }
                do {
                    guard try await fill(deadline: timeouts.body.map { clock.now + $0 }) else {
                        // EOF inside a body: the parser reports the truncation on the next turn.
                        continue
                    }
                } catch let error as HTTPCoreError where error.code == .readTimeout {
                    // The rest of the body may still come, so the next request's start is
                    // unknown: 408 (unless the response has begun) and close, rather than
                    // waiting once more to discard it.
                    ended(.timeout(.body))
                    await refuse(.requestTimeout)
                    throw error
                } catch {
                    ended(.aborted)
                    await stream.close(.abortive)
                    throw error
                }
            }
        }
    }

    /// Reads more bytes into the parser; false at EOF (fed to the parser too).
    private func fill(deadline: HTTPInstant?) async throws -> Bool {
        guard let bytes = try await stream.read(maxBytes: readSize, deadline: deadline) else {
            reader.withLock { $0.parser.feedEOF() }
            return false
        }
        reader.withLock { $0.parser.feed(bytes) }
        return true
    }

    private func check(_ id: HTTPServerStreamID) throws {
        guard reader.withLock({ $0.current }) == id.rawValue else {
            throw HTTPCoreError(.connectionClosed, "\(id) is not the request being served on this HTTP/1.1 connection")
        }
    }

    private func sendContinueIfPending() async throws {
        let send = reader.withLock { reader -> Bool in
            defer { reader.continuePending = false }
            return reader.continuePending
        } && !writer.withLock({ $0.started })
        if send { try await write(HTTP1ResponseEncoder.continueHead) }
    }

    /// Answers a request the parser refused (or one that timed out) and closes.
    private func refuse(_ status: HTTPResponse.Status) async {
        let started = writer.withLock { writer -> Bool in
            defer { writer.started = true; writer.ended = true; writer.keepAlive = false }
            return writer.started
        }
        if !started {
            let body = Array("\(status.code) \(status.reasonPhrase)\n".utf8)
            var head = HTTPResponse(status: status)
            head.headerFields[.contentType] = "text/plain"
            if let bytes = try? HTTP1ResponseEncoder.head(head, framing: .contentLength(body.count), close: true) {
                try? await stream.write(bytes + body, deadline: timeouts.write.map { clock.now + $0 })
            }
        }
        await stream.close(.graceful)
        responseEnded()
    }

    // MARK: - Responses

    func startResponse(_ head: HTTPResponse, on id: HTTPServerStreamID, endStream: Bool) async throws {
        try check(id)
        let bytes = try writer.withLock { writer throws(HTTPCoreError) -> [UInt8] in
            guard !writer.started else { throw HTTPCoreError(.invalidRequest, "\(id) was already answered") }
            writer.started = true
            let bodiless = writer.headRequest || head.status.kind == .informational || head.status.code == 204 || head.status.code == 304
            let declared = head.headerFields[.contentLength].flatMap { Int($0) }
            if bodiless {
                // HEAD keeps the length it would have had; 204 and 304 say nothing.
                writer.framing = .none
                let framing: HTTP1ResponseEncoder.Framing = writer.headRequest && declared != nil ? .contentLength(declared!) : .none
                return try HTTP1ResponseEncoder.head(head, framing: framing, close: !writer.keepAlive)
            }
            if endStream {
                writer.framing = .contentLength(0)
            } else if let declared {
                writer.framing = .contentLength(declared)
                writer.remaining = declared
            } else if reader.withLock({ $0.parser.version }) == .http1_1 {
                writer.framing = .chunked
            } else {
                writer.framing = .close
                writer.keepAlive = false
            }
            return try HTTP1ResponseEncoder.head(head, framing: writer.framing, close: !writer.keepAlive)
        }
        try await write(bytes)
        if endStream { try await endResponse(trailers: nil) }
    }

    func sendData(_ bytes: [UInt8], on id: HTTPServerStreamID, endStream: Bool) async throws {
        try check(id)
        let framing = try writer.withLock { writer throws(HTTPCoreError) -> HTTP1ResponseEncoder.Framing in
            guard writer.started, !writer.ended else {
                throw HTTPCoreError(.invalidRequest, writer.started ? "the response has ended" : "the response head must go first")
            }
            if case .contentLength = writer.framing {
                guard bytes.count <= writer.remaining else {
                    throw HTTPCoreError(.requestBodyLengthMismatch, "the response body is longer than its Content-Length")
                }
                writer.remaining -= bytes.count
            }
            return writer.framing
        }
        if !bytes.isEmpty {
            switch framing {
            case .none: break // HEAD, 204, 304: no body on the wire
            case .contentLength, .close: try await write(bytes)
            case .chunked: try await write(HTTP1ResponseEncoder.chunk(bytes))
            }
        }
        if endStream { try await endResponse(trailers: nil) }
    }

    func sendTrailers(_ trailers: HTTPFields, on id: HTTPServerStreamID) async throws {
        try check(id)
        try await endResponse(trailers: trailers)
    }

    /// Ends the response: the last chunk (with trailers, which only chunked framing can
    /// carry), a length check, and the connection's end when it does not stay open.
    private func endResponse(trailers: HTTPFields?) async throws {
        let (framing, remaining, keepAlive) = try writer.withLock { writer throws(HTTPCoreError) -> (HTTP1ResponseEncoder.Framing, Int, Bool) in
            guard writer.started, !writer.ended else { throw HTTPCoreError(.invalidRequest, "the response has ended") }
            return (writer.framing, writer.remaining, writer.keepAlive && !writer.draining)
        }
        if case .chunked = framing { try await write(HTTP1ResponseEncoder.lastChunk(trailers: trailers)) }
        if case .contentLength = framing, remaining > 0 {
            ended(.handlerFailed)
            await stream.close(.abortive)
            responseEnded()
            throw HTTPCoreError(.requestBodyLengthMismatch, "the response ended \(remaining) bytes short of its Content-Length")
        }
        if !keepAlive || framing == .close {
            ended(writer.withLock { $0.draining } ? .shutdown : .closed)
            await stream.close(.graceful)
        }
        writer.withLock { $0.keepAlive = keepAlive && framing != .close }
        responseEnded()
    }

    private func responseEnded() {
        let waiter = writer.withLock { writer -> Waiter<Void>? in
            writer.ended = true
            defer { writer.endWaiter = nil }
            return writer.endWaiter
        }
        waiter?.resume(returning: ())
    }

    private func awaitResponseEnd() async throws {
        let waiter = writer.withLock { writer -> Waiter<Void>? in
            guard !writer.ended else { return nil }
            let waiter = Waiter<Void>()
            writer.endWaiter = waiter
            return waiter
        }
        try await waiter?.wait()
    }

    /// Writes `bytes`, each piece of at most `timedPiece` bytes within `timeouts.write`:
    /// the bound is on a client taking nothing, not on how long a large body takes over a
    /// slow link.
    ///
    /// A failed write ends the connection, and with it the response: the handler may no
    /// longer be able to say so (a write that fails inside `respond` for an empty body, or
    /// in `finish`, leaves its writer finished), and the next `receiveRequest` waits for
    /// the response's end. Without this, a client that went away before such a write held
    /// its connection in the server forever (found by the soak and the fault tests, issue 18).
    private func write(_ bytes: [UInt8]) async throws {
        do {
            if bytes.count <= Self.timedPiece {
                try await stream.write(bytes, deadline: timeouts.write.map { clock.now + $0 })
            } else {
                var start = 0
                while start < bytes.count {
                    let end = min(start + Self.timedPiece, bytes.count)
                    try await stream.write(Array(bytes[start..<end]), deadline: timeouts.write.map { clock.now + $0 })
                    start = end
                }
            }
        } catch {
            ended((error as? HTTPCoreError)?.code == .writeTimeout ? .timeout(.write) : .aborted)
            writer.withLock { $0.keepAlive = false }
            await stream.close(.abortive)
            responseEnded()
            throw error
        }
    }

    private static let timedPiece = 256 << 10

    func resetStream(_ id: HTTPServerStreamID) async {
        ended(.handlerFailed)
        await stream.close(.abortive)
        responseEnded()
    }

    func waitFunctional() async throws -> Duration { .zero }

    func close() async {
        await stream.close(.graceful)
        responseEnded()
    }

    /// Every write is awaited, so nothing is left to flush.
    func finish() async {
        await close()
    }

    /// The next request's head resets what the reader kept of this one.
    func exchangeEnded(_ stream: HTTPServerStreamID) {}

    /// HTTP/1.1 has no streams to refuse.
    func takeRefusedStreams() -> Int { 0 }

    /// Graceful shutdown: the response in flight says `Connection: close` if its head has
    /// not gone yet, and no further request is read.
    func drain() async {
        let idle = writer.withLock { writer -> Bool in
            writer.draining = true
            return writer.ended
        }
        if idle {
            ended(.shutdown)
            await stream.close(.graceful)
        }
    }
}
