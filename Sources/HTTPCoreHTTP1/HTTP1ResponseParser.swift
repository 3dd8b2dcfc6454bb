import HTTPCore
public import HTTPTypes

/// An incremental HTTP/1.1 response parser: feed bytes as they arrive, pull events.
///
/// A value type with no I/O. Policy (ARCHITECTURE.md section 4): a bare LF ends a line like
/// CRLF; obs-fold is unfolded to one space; Transfer-Encoding wins over Content-Length and
/// the connection is then not reused; malformed or conflicting Content-Length is an error;
/// a bare CR or a NUL is an error; limits (`HTTP1Limits`) are checked as bytes arrive.
/// HTTP/1.0 responses and close-delimited bodies are accepted.
///
/// Usage: `startResponse(to:)` for each request, then `feed`/`feedEOF` and `next()` until
/// it returns nil (needs bytes) or `.end`. Errors are sticky.
public struct HTTP1ResponseParser: Sendable {
    enum State: Sendable {
        /// No request outstanding.
        case idle
        case statusLine
        case headers(Head)
        case body(HTTP1BodyReader)
        case failed(HTTP1ParseError)
    }

    /// A head being collected: the status line's parts and the fields so far.
    struct Head: Sendable {
        var version: HTTPVersion = .http1_1
        var status = 0
        var reason: ArraySlice<UInt8> = []
        var section = HTTP1FieldSection()
    }

    public let limits: HTTP1Limits
    var state: State = .idle
    var method: HTTPRequest.Method = .get
    /// Decided by the head, applied at `.end`.
    var keepAlive = true

    /// A bare LF ends a line: responses keep the lenient policy.
    var input = HTTP1InputBuffer(requiresCRLF: false)

    /// Any byte of the current response seen (tells "closed before response" from truncation).
    var receivedAny = false

    public init(limits: HTTP1Limits = HTTP1Limits()) { self.limits = limits }

    /// Arms the parser for the response to a request with `method` (HEAD and CONNECT
    /// change how the body is framed). Bytes already buffered are kept.
    public mutating func startResponse(to method: HTTPRequest.Method) {
        self.method = method
        state = .statusLine
        keepAlive = true
        receivedAny = input.count > 0
    }

    public mutating func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        input.append(bytes)
        if case .statusLine = state { receivedAny = true }
    }

    /// The peer closed its side.
    public mutating func feedEOF() { input.sawEOF = true }

    /// The body ends when the connection does (no Content-Length, not chunked), so EOF
    /// here means "complete", and a TLS close without close_notify means "maybe cut short".
    public var isReadingUntilClose: Bool {
        if case .body(let reader) = state, case .untilClose = reader.state { return true }
        return false
    }

    /// Bytes received and not yet consumed: after `.end` these arrived unasked (or, for a
    /// CONNECT tunnel, belong to the tunnel).
    public var bufferedByteCount: Int { input.count }

    /// Removes and returns the unconsumed bytes (for a CONNECT tunnel taking over).
    public mutating func takeBufferedBytes() -> [UInt8] { input.takeAll() }

    public var isComplete: Bool {
        guard case .body(let reader) = state else { return false }
        switch reader.state {
        case .endOwed, .done: return true
        default: return false
        }
    }

    /// The next event, or nil when more bytes (or `feedEOF`) are needed, or when idle.
    public mutating func next() throws(HTTP1ParseError) -> HTTP1ResponseEvent? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTP1ParseError) -> HTTP1ResponseEvent? {
        while true {
            switch state {
            case .idle:
                return nil
            case .failed(let error):
                throw error
            case .statusLine:
                guard let line = try input.nextLine(limit: limits.maxStartLineLength, tooLong: .startLineTooLong) else {
                    if input.sawEOF { throw receivedAny ? .truncatedHead : .closedBeforeResponse }
                    return nil
                }
                state = .headers(try parseStatusLine(line))
            case .headers(var head):
                state = .idle  // `head` is then the only owner of its fields: appends stay in place
                guard try head.section.read(from: &input, limits: limits, allowsObsFold: true) else {
                    state = .headers(head)
                    if input.sawEOF { throw .truncatedHead }
                    return nil
                }
                if let event = try finishHead(head) { return event }
            case .body(var reader):
                state = .idle  // as for `.headers`: trailers grow in place
                let event = try reader.next(&input, limits: limits, allowsObsFold: true)
                state = .body(reader)
                switch event {
                case nil: return nil
                case .body(let bytes): return .body(bytes)
                case .trailers(let fields): return .trailers(fields)
                case .end: return .end(keepAlive: keepAlive)
                }
            }
        }
    }
}

extension HTTP1ResponseParser {
    /// The head announced no body (HEAD, 204, 304, Content-Length: 0) and `.end` is next.
    public var isAtEmptyBody: Bool {
        if case .body(let reader) = state, case .fixed(0) = reader.state { return true }
        return false
    }
}
