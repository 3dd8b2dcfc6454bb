public import HTTPCore
public import HTTPTypes

/// A stream of an `HTTPServerConnection`: an HTTP/2 stream id, or an HTTP/1.1 request's
/// place on its connection (1, 2, 3, ... in the order the requests arrived).
public struct HTTPServerStreamID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public var description: String { "stream \(rawValue)" }
}

/// aioh2's server-side connection API, the same over HTTP/1.1 and HTTP/2: loop on
/// `receiveRequest()`, read the body with `readStream`, answer with `startResponse`,
/// `sendData` and `sendTrailers`. Both directions may run at once (read while answering).
///
/// Over HTTP/1.1 requests come one after another (pipelined ones in order), and the next
/// `receiveRequest` returns once the previous response has ended; `resetStream` closes the
/// connection, since HTTP/1.1 cannot cancel one exchange alone.
public protocol HTTPServerConnection: AnyObject, Sendable {
    /// HTTP/2, or HTTP/1.1.
    var version: HTTPVersion { get }
    /// Addresses and, over TLS, the negotiated protocol and the client's certificate.
    var info: NetworkStreamInfo { get }

    /// The next request (aioh2's `recv_request`); nil once the connection has ended cleanly.
    func receiveRequest() async throws -> (stream: HTTPServerStreamID, head: HTTPRequest)?
    /// Up to `maxBytes` of the request body as soon as any is there, or (nil) all of it to
    /// the end; empty at the end.
    func readStream(_ stream: HTTPServerStreamID, maxBytes: Int?) async throws -> [UInt8]
    /// The request's trailers once its body has ended (empty when it sent none); body
    /// bytes not read yet are discarded.
    func receiveTrailers(on stream: HTTPServerStreamID) async throws -> HTTPFields
    /// Sends the response head (aioh2's `start_response`); the end follows through
    /// `sendData(endStream:)` or `sendTrailers`, unless `endStream`.
    func startResponse(_ head: HTTPResponse, on stream: HTTPServerStreamID, endStream: Bool) async throws
    /// Sends response body bytes, waiting while the client is not reading (backpressure).
    func sendData(_ bytes: [UInt8], on stream: HTTPServerStreamID, endStream: Bool) async throws
    /// Ends the response with trailers.
    func sendTrailers(_ trailers: HTTPFields, on stream: HTTPServerStreamID) async throws
    /// Abandons the exchange: RST_STREAM over HTTP/2, closing the connection over HTTP/1.1.
    func resetStream(_ stream: HTTPServerStreamID) async
    /// The round-trip time, with a PING only when the client was silent lately (HTTP/2);
    /// zero over HTTP/1.1, which has no PING.
    func waitFunctional() async throws -> Duration
    /// Closes the connection now.
    func close() async
}

/// What the server itself asks of its connections, beyond aioh2's API.
protocol ServedConnection: HTTPServerConnection {
    /// Graceful shutdown: GOAWAY over HTTP/2, `Connection: close` on the response in flight
    /// over HTTP/1.1; no new request is read, those in flight finish.
    func drain() async
    /// Writes everything answered, then closes.
    func finish() async
    /// The handler of `stream` is done: nothing may read its request any more.
    func exchangeEnded(_ stream: HTTPServerStreamID)
    /// Why the connection ended (read once it has): its first cause, `.closed` if none.
    var end: HTTPServer.ConnectionEnd { get }
    /// Streams refused (HTTP/2 REFUSED_STREAM) since the last call: 0 over HTTP/1.1.
    func takeRefusedStreams() -> Int
}
