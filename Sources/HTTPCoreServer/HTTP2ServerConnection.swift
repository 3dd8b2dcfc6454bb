import HTTPCore
import HTTPCoreHTTP2
import HTTPTypes

/// `HTTPServerConnection` over HTTP/2: the server role of `HTTP2Connection` (one machine
/// and stream API for both roles), with stream ids widened to the common type.
final class HTTP2ServerConnection: ServedConnection {
    let connection: HTTP2Connection
    /// A cause the connection's own end error cannot tell: the server closed it for
    /// idleness or shutdown.
    private let serverCause = Locked<HTTPServer.ConnectionEnd?>(nil)
    /// Refused streams already reported by `takeRefusedStreams`.
    private let refusedReported = Locked(0)

    init(_ connection: HTTP2Connection) {
        self.connection = connection
    }

    var version: HTTPVersion { .http2 }
    var info: NetworkStreamInfo { connection.streamInfo }

    var end: HTTPServer.ConnectionEnd {
        serverCause.withLock { $0 } ?? connection.endError.map(HTTPServer.ConnectionEnd.init) ?? .closed
    }

    private func mark(_ cause: HTTPServer.ConnectionEnd) {
        serverCause.withLock { $0 = $0 ?? cause }
    }

    func receiveRequest() async throws -> (stream: HTTPServerStreamID, head: HTTPRequest)? {
        guard let (id, head) = try await connection.receiveRequest() else { return nil }
        return (HTTPServerStreamID(Int64(id.rawValue)), head)
    }

    /// A connection that ends while a body is still being read (the server did not close
    /// it) is the client gone mid-upload: `.truncatedRequest`, as over HTTP/1.1.
    func readStream(_ stream: HTTPServerStreamID, maxBytes: Int?) async throws -> [UInt8] {
        do {
            return try await connection.readStream(Self.id(stream), maxBytes: maxBytes)
        } catch let error as HTTPCoreError {
            throw clientGone(error, .truncatedRequest, "the client's connection ended in the middle of the request body")
        }
    }

    /// `error`, or, when it says the connection closed and the server did not close it,
    /// the client gone mid-exchange: a network failure (`code`) for the handler, as over
    /// HTTP/1.1 (whether a client that vanishes shows as a close or a reset is a matter of
    /// timing), and `.aborted` for the connection.
    private func clientGone(_ error: HTTPCoreError, _ code: HTTPCoreError.Code, _ detail: String) -> HTTPCoreError {
        guard error.code == .connectionClosed, serverCause.withLock({ $0 == nil }) else { return error }
        mark(.aborted)
        return HTTPCoreError(code, detail, underlying: error)
    }

    private func sending(_ send: () async throws -> Void) async throws {
        do {
            try await send()
        } catch let error as HTTPCoreError {
            throw clientGone(error, .writeFailed, "the client's connection ended before the response was sent")
        }
    }

    func receiveTrailers(on stream: HTTPServerStreamID) async throws -> HTTPFields {
        try await connection.receiveTrailers(on: Self.id(stream))
    }

    func startResponse(_ head: HTTPResponse, on stream: HTTPServerStreamID, endStream: Bool) async throws {
        try await sending { try await connection.startResponse(head, on: Self.id(stream), endStream: endStream) }
    }

    func sendData(_ bytes: [UInt8], on stream: HTTPServerStreamID, endStream: Bool) async throws {
        try await sending { try await connection.sendData(bytes, on: Self.id(stream), endStream: endStream) }
    }

    func sendTrailers(_ trailers: HTTPFields, on stream: HTTPServerStreamID) async throws {
        try await sending { try await connection.sendTrailers(trailers, on: Self.id(stream)) }
    }

    func resetStream(_ stream: HTTPServerStreamID) async {
        connection.resetStream(Self.id(stream), code: .internalError)
    }

    func waitFunctional() async throws -> Duration {
        try await connection.waitFunctional()
    }

    func close() async {
        await connection.close()
    }

    func drain() async {
        mark(.shutdown)
        await connection.drain()
    }

    func finish() async {
        await connection.finishAndClose()
    }

    /// A body read to its end left its trailers with the connection for `receiveTrailers`,
    /// and a stream the client reset after the handler returned kept its error for a
    /// reader: both stayed for the connection's life (the soak of issue 18 found the
    /// server's memory creeping up by them, one per upload and one per thousand requests).
    func exchangeEnded(_ stream: HTTPServerStreamID) {
        connection.finishedWith(Self.id(stream))
    }

    func takeRefusedStreams() -> Int {
        let count = connection.refusedStreamCount
        return refusedReported.withLock { reported in
            defer { reported = count }
            return count - reported
        }
    }

    /// Closes the connection once it has served no stream for `idle` (the keep-alive
    /// bound HTTP/1.1 gets from its read deadline). Runs until the connection ends.
    func closeWhenIdle(for idle: Duration, clock: any HTTPClock) async {
        while !connection.isClosed {
            let wake = connection.idleSince.map { $0 + idle } ?? clock.now + idle
            guard (try? await clock.sleep(until: wake)) != nil else { return }
            if let since = connection.idleSince, since + idle <= clock.now {
                mark(.timeout(.idle))
                await connection.drain()
                await connection.finishAndClose()
                return
            }
        }
    }

    private static func id(_ stream: HTTPServerStreamID) -> HTTP2StreamID {
        HTTP2StreamID(Int32(truncatingIfNeeded: stream.rawValue))
    }
}
