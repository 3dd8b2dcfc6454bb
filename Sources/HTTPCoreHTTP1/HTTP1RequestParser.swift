public import HTTPCore
import HTTPTypes

/// An incremental, strict HTTP/1.1 request parser for a server: feed bytes as they arrive,
/// pull events. A value type with no I/O.
///
/// It shares its line, field and body code with `HTTP1ResponseParser` but is stricter,
/// because a request a server and a proxy in front of it read differently is a smuggled
/// request (RFC 9112 section 11.2). Policy:
/// - Lines end in CRLF only: a bare LF is `.bareLF`, a bare CR `.bareCR`, NUL `.nulByte`.
/// - obs-fold is `.obsFold`; whitespace before a field's colon is `.whitespaceBeforeColon`.
/// - Content-Length must be one field line holding one run of digits: a list or a repeated
///   line is `.conflictingContentLength` even when the values agree (`5, 5`).
/// - Transfer-Encoding must be exactly `chunked`: not final chunked is 400, other codings
///   before it 501 (`.unsupportedTransferCoding`); with Content-Length, or in HTTP/1.0, 400.
/// - HTTP/1.1 needs exactly one valid Host; an absolute-form target's authority must equal
///   it (ASCII case-insensitively, ports compared as written).
/// - Empty lines before a request line are skipped (RFC 9112 section 2.2).
/// - `HTTP/1.x` with x > 1 is read as HTTP/1.1 (RFC 9110 section 2.5); another major is 505.
/// - Limits (`HTTP1Limits`) are checked as bytes arrive; trailers get the header limits.
/// Every error is sticky, and the server closes after answering it (`closesConnection`).
///
/// Usage: `feed`/`feedEOF`, then `next()` until it returns nil. After `.end` the next
/// pipelined request is parsed from the bytes already buffered, unless the request ended
/// the connection's HTTP (`Connection: close`, HTTP/1.0 without keep-alive, CONNECT):
/// then `isFinished` is true and the rest stays buffered (a CONNECT tunnel takes it).
public struct HTTP1RequestParser: Sendable {
    enum State: Sendable {
        case requestLine
        case headers(Head)
        case body(HTTP1BodyReader)
        /// No more requests on this connection: the last one ended it, or the peer closed.
        case finished
        case failed(HTTP1ParseError)
    }

    /// A head being collected: the request line's parts and the fields so far.
    struct Head: Sendable {
        var method: HTTPRequest.Method
        var target: Target
        var version: HTTPVersion
        var section = HTTP1FieldSection()
    }

    public let limits: HTTP1Limits
    /// The scheme of the connection (`http`, or `https` over TLS): what an origin-form or
    /// asterisk-form request's `scheme` is, as the target does not say.
    public let scheme: String
    var state: State = .requestLine
    var input = HTTP1InputBuffer(requiresCRLF: true)

    /// The current request's version (from its `.head` on).
    public internal(set) var version: HTTPVersion = .http1_1
    /// Whether the connection may carry another request after the current one: HTTP/1.1
    /// unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`, never after
    /// CONNECT. The server says `Connection: close` in its response when this is false.
    public internal(set) var keepAlive = true
    /// The current request is HTTP/1.1 and carries `Expect: 100-continue`: the client may
    /// wait for a 100 before sending the body. An HTTP/1.0 request's expectation is ignored
    /// (RFC 9110 section 10.1.1).
    public internal(set) var expectsContinue = false

    public init(limits: HTTP1Limits = HTTP1Limits(), scheme: String = "http") {
        self.limits = limits
        self.scheme = scheme
    }

    public mutating func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        input.append(bytes)
    }

    /// The peer closed its side. Between requests this ends the parse quietly; inside one
    /// it is `.truncatedHead` or `.truncatedBody`.
    public mutating func feedEOF() { input.sawEOF = true }

    /// No more requests will come on this connection (see the type's usage note).
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Bytes received and not yet consumed: pipelined requests, or a tunnel's first bytes.
    public var bufferedByteCount: Int { input.count }

    /// Removes and returns the unconsumed bytes (for a CONNECT tunnel taking over).
    public mutating func takeBufferedBytes() -> [UInt8] { input.takeAll() }

    /// The next event, or nil when more bytes (or `feedEOF`) are needed or `isFinished`.
    public mutating func next() throws(HTTP1ParseError) -> HTTP1RequestEvent? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTP1ParseError) -> HTTP1RequestEvent? {
        while true {
            switch state {
            case .finished:
                return nil
            case .failed(let error):
                throw error
            case .requestLine:
                guard let line = try input.nextLine(limit: limits.maxStartLineLength, tooLong: .startLineTooLong) else {
                    guard input.sawEOF else { return nil }
                    if input.count > 0 { throw .truncatedHead }
                    state = .finished
                    return nil
                }
                if !line.isEmpty { state = .headers(try parseRequestLine(line)) }
            case .headers(var head):
                state = .finished  // `head` is then the only owner of its fields: appends stay in place
                guard try head.section.read(from: &input, limits: limits, allowsObsFold: false) else {
                    state = .headers(head)
                    if input.sawEOF { throw .truncatedHead }
                    return nil
                }
                return .head(try finishHead(head))
            case .body(var reader):
                state = .finished  // as for `.headers`: trailers grow in place
                let event = try reader.next(&input, limits: limits, allowsObsFold: false)
                state = .body(reader)
                switch event {
                case nil: return nil
                case .body(let bytes): return .body(bytes)
                case .trailers(let fields): return .trailers(fields)
                case .end:
                    state = keepAlive ? .requestLine : .finished
                    return .end
                }
            }
        }
    }
}
