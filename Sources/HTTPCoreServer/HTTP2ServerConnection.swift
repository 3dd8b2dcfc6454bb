import HTTPCore
import HTTPCoreHTTP2
import HTTPTypes

/// `HTTPServerConnection` over HTTP/2: the server role of `HTTP2Connection` (one machine
/// and stream API for both roles), with stream ids widened to the common type.
final class HTTP2ServerConnection: ServedConnection {
    let connection: HTTP2Connection

    init(_ connection: HTTP2Connection) {
        self.connection = connection
    }

    var version: HTTPVersion { .http2 }
    var info: NetworkStreamInfo { connection.streamInfo }

    func receiveRequest() async throws -> (stream: HTTPServerStreamID, head: HTTPRequest)? {
        guard let (id, head) = try await connection.receiveRequest() else { return nil }
        return (HTTPServerStreamID(Int64(id.rawValue)), head)
    }

    func readStream(_ stream: HTTPServerStreamID, maxBytes: Int?) async throws -> [UInt8] {
        try await connection.readStream(Self.id(stream), maxBytes: maxBytes)
    }

    func receiveTrailers(on stream: HTTPServerStreamID) async throws -> HTTPFields {
        try await connection.receiveTrailers(on: Self.id(stream))
    }

    func startResponse(_ head: HTTPResponse, on stream: HTTPServerStreamID, endStream: Bool) async throws {
        try await connection.startResponse(head, on: Self.id(stream), endStream: endStream)
    }

    func sendData(_ bytes: [UInt8], on stream: HTTPServerStreamID, endStream: Bool) async throws {
        try await connection.sendData(bytes, on: Self.id(stream), endStream: endStream)
    }

    func sendTrailers(_ trailers: HTTPFields, on stream: HTTPServerStreamID) async throws {
        try await connection.sendTrailers(trailers, on: Self.id(stream))
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

    /// Closes the connection once it has served no stream for `idle` (the keep-alive
    /// bound HTTP/1.1 gets from its read deadline). Runs until the connection ends.
    func closeWhenIdle(for idle: Duration, clock: any HTTPClock) async {
        while !connection.isClosed {
            let wake = connection.idleSince.map { $0 + idle } ?? clock.now + idle
            guard (try? await clock.sleep(until: wake)) != nil else { return }
            if let since = connection.idleSince, since + idle <= clock.now {
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
