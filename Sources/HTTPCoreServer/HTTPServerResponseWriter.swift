import HTTPCore
public import HTTPTypes

/// How a request/response handler answers: the head, the body in as many pieces as it
/// likes (each waits while the client is not reading), then the end, with trailers if any.
/// The head may go before the request body is read (full duplex: an echo answers as the
/// body arrives).
///
/// A handler that returns without a head gets a 500; one that returns after the head
/// without `finish` has its response ended for it; one that throws after the head has its
/// stream reset (its connection closed over HTTP/1.1), since the client cannot be told
/// otherwise.
public final class HTTPServerResponseWriter: Sendable {
    enum Phase { case idle, streaming, finished }

    /// The phase, and what `HTTPServer.RequestOutcome` reports: the status of the head
    /// and the body bytes handed to the connection.
    private struct State {
        var phase = Phase.idle
        var status: Int?
        var bodyBytes: Int64 = 0
    }

    let connection: any HTTPServerConnection
    let stream: HTTPServerStreamID
    private let state = Locked(State())

    init(connection: any HTTPServerConnection, stream: HTTPServerStreamID) {
        self.connection = connection
        self.stream = stream
    }

    /// Sends the head. Throws `.invalidRequest` when a head was already sent.
    public func writeHead(_ head: HTTPResponse) async throws {
        try advance(from: .idle, to: .streaming, "the response head was already sent", status: head.status.code)
        try await connection.startResponse(head, on: stream, endStream: false)
    }

    /// Sends body bytes (a 200 head first, when none was sent).
    public func write(_ bytes: [UInt8]) async throws {
        if state.withLock({ $0.phase == .idle }) { try await writeHead(HTTPResponse(status: .ok)) }
        try state.withLock { (state: inout State) throws(HTTPCoreError) in
            guard state.phase == .streaming else { throw HTTPCoreError(.invalidRequest, "the response has ended") }
            state.bodyBytes += Int64(bytes.count)
        }
        try await connection.sendData(bytes, on: stream, endStream: false)
    }

    /// Ends the response, with `trailers` when given (a 200 head first, when none was sent).
    public func finish(trailers: HTTPFields? = nil) async throws {
        if state.withLock({ $0.phase == .idle }) { try await writeHead(HTTPResponse(status: .ok)) }
        try advance(from: .streaming, to: .finished, "the response has ended")
        if let trailers, !trailers.isEmpty {
            try await connection.sendTrailers(trailers, on: stream)
        } else {
            try await connection.sendData([], on: stream, endStream: true)
        }
    }

    /// A whole response at once, with its Content-Length (unless `head` has one, or
    /// trailers follow: those need HTTP/1.1's chunked framing).
    public func respond(_ head: HTTPResponse, body: [UInt8] = [], trailers: HTTPFields? = nil) async throws {
        try advance(from: .idle, to: .streaming, "the response head was already sent", status: head.status.code, bodyBytes: body.count)
        var head = head
        if head.headerFields[.contentLength] == nil, trailers?.isEmpty ?? true, !head.status.isBodiless {
            head.headerFields[.contentLength] = String(body.count)
        }
        if body.isEmpty, trailers?.isEmpty ?? true {
            state.withLock { $0.phase = .finished }
            try await connection.startResponse(head, on: stream, endStream: true)
            return
        }
        try await connection.startResponse(head, on: stream, endStream: false)
        if !body.isEmpty { try await connection.sendData(body, on: stream, endStream: false) }
        try await finish(trailers: trailers)
    }

    /// After the handler: a 500 when it sent nothing, the end when it left the body open,
    /// a reset when it failed mid-response.
    func complete(failure: (any Error)?) async {
        switch state.withLock({ $0.phase }) {
        case .idle:
            try? await respond(HTTPResponse(status: .internalServerError), body: Array("internal server error\n".utf8))
        case .streaming where failure == nil:
            try? await finish()
        case .streaming:
            await connection.resetStream(stream)
        case .finished:
            break
        }
    }

    /// The status of the response head sent (or being sent); nil before one. A handler
    /// wrapper reads it after the handler (a span's `http.response.status_code`); nil
    /// then means the server answers 500.
    public var status: Int? { state.withLock { $0.status } }

    /// The status of the head sent (or being sent) and the body bytes handed over so far.
    var outcome: (status: Int?, bodyBytes: Int64) {
        state.withLock { ($0.status, $0.bodyBytes) }
    }

    private func advance(from: Phase, to: Phase, _ message: String, status: Int? = nil, bodyBytes: Int = 0) throws {
        try state.withLock { (state: inout State) throws(HTTPCoreError) in
            guard state.phase == from else { throw HTTPCoreError(.invalidRequest, message) }
            state.phase = to
            if let status { state.status = status }
            state.bodyBytes += Int64(bodyBytes)
        }
    }
}

extension HTTPResponse.Status {
    /// 1xx, 204 and 304 carry no body (RFC 9110 §6.4.1).
    var isBodiless: Bool { kind == .informational || code == 204 || code == 304 }
}
