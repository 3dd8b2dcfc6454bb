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
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(Head)
        case closeDelimited
        case complete
        case failed(HTTP1ParseError)
    }

    /// A head being collected: the status line's parts and the fields so far (obs-fold
    /// extends the last value in place).
    struct Head: Sendable {
        var version: HTTPVersion = .http1_1
        var status = 0
        var reason: [UInt8] = []
        var fields = HTTPFields()
        var lastLineLength = 0
        var sectionSize = 0
    }

    public let limits: HTTP1Limits
    var state: State = .idle
    var method: HTTPRequest.Method = .get
    /// Decided by the head, applied at `.end`.
    var keepAlive = true

    var buffer: [UInt8] = []
    /// Bytes before `index` are consumed.
    var index = 0
    /// Where the search for the current line's LF resumes.
    var scan = 0
    var sawEOF = false
    /// Set when `.trailers` was returned and `.end` is still owed.
    var pendingEnd = false
    /// Any byte of the current response seen (tells "closed before response" from truncation).
    var receivedAny = false

    public init(limits: HTTP1Limits = HTTP1Limits()) { self.limits = limits }

    /// Arms the parser for the response to a request with `method` (HEAD and CONNECT
    /// change how the body is framed). Bytes already buffered are kept.
    public mutating func startResponse(to method: HTTPRequest.Method) {
        self.method = method
        state = .statusLine
        keepAlive = true
        receivedAny = index < buffer.count
    }

    public mutating func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if index == buffer.count {
            buffer = bytes
            index = 0
            scan = 0
        } else {
            if index > 4096, index * 2 > buffer.count {
                buffer.removeFirst(index)
                scan -= index
                index = 0
            }
            buffer.append(contentsOf: bytes)
        }
        if case .statusLine = state { receivedAny = true }
    }

    /// The peer closed its side.
    public mutating func feedEOF() { sawEOF = true }

    /// The body ends when the connection does (no Content-Length, not chunked), so EOF
    /// here means "complete", and a TLS close without close_notify means "maybe cut short".
    public var isReadingUntilClose: Bool {
        if case .closeDelimited = state { return true }
        return false
    }

    /// Bytes received and not yet consumed: after `.end` these arrived unasked (or, for a
    /// CONNECT tunnel, belong to the tunnel).
    public var bufferedByteCount: Int { buffer.count - index }

    /// Removes and returns the unconsumed bytes (for a CONNECT tunnel taking over).
    public mutating func takeBufferedBytes() -> [UInt8] {
        defer {
            buffer = []
            index = 0
            scan = 0
        }
        return Array(buffer[index...])
    }

    public var isComplete: Bool {
        if case .complete = state { return true }
        return false
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
            case .complete:
                guard pendingEnd else { return nil }
                pendingEnd = false
                return .end(keepAlive: keepAlive)
            case .failed(let error):
                throw error
            case .statusLine:
                guard let line = try nextLine(limit: limits.maxStartLineLength, tooLong: .startLineTooLong) else {
                    if sawEOF { throw receivedAny ? .truncatedHead : .closedBeforeResponse }
                    return nil
                }
                state = .headers(try parseStatusLine(line))
            case .headers(var head):
                state = .idle  // `head` is then the only owner of its fields: appends stay in place
                let lineStart = index
                guard let line = try nextLine(limit: limits.maxFieldLineLength, tooLong: .fieldLineTooLong) else {
                    state = .headers(head)
                    if sawEOF { throw .truncatedHead }
                    return nil
                }
                if line.isEmpty {
                    if let event = try finishHead(head) { return event }
                } else {
                    try addFieldLine(line, consumed: index - lineStart, to: &head)
                    state = .headers(head)
                }
            case .trailers(var head):
                state = .idle
                let lineStart = index
                guard let line = try nextLine(limit: limits.maxFieldLineLength, tooLong: .fieldLineTooLong) else {
                    state = .trailers(head)
                    if sawEOF { throw .truncatedBody }
                    return nil
                }
                if line.isEmpty {
                    state = .complete
                    if !head.fields.isEmpty {
                        pendingEnd = true
                        return .trailers(head.fields)
                    }
                    return .end(keepAlive: keepAlive)
                }
                try addFieldLine(line, consumed: index - lineStart, to: &head)
                state = .trailers(head)
            case .fixedBody(let remaining):
                if remaining == 0 {
                    state = .complete
                    return .end(keepAlive: keepAlive)
                }
                guard let chunk = takeBody(upTo: remaining) else {
                    if sawEOF { throw .truncatedBody }
                    return nil
                }
                state = .fixedBody(remaining: remaining - chunk.count)
                return .body(chunk)
            case .chunkSize:
                guard let line = try nextLine(limit: limits.maxChunkLineLength, tooLong: .chunkLineTooLong) else {
                    if sawEOF { throw .truncatedBody }
                    return nil
                }
                let size = try parseChunkSize(line)
                state = size == 0 ? .trailers(Head()) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard let chunk = takeBody(upTo: remaining) else {
                    if sawEOF { throw .truncatedBody }
                    return nil
                }
                state = chunk.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - chunk.count)
                return .body(chunk)
            case .chunkDataEnd:
                guard index < buffer.count else {
                    if sawEOF { throw .truncatedBody }
                    return nil
                }
                if buffer[index] == UInt8(ascii: "\n") {
                    index += 1
                } else if buffer[index] == UInt8(ascii: "\r") {
                    guard index + 1 < buffer.count else {
                        if sawEOF { throw .truncatedBody }
                        return nil
                    }
                    guard buffer[index + 1] == UInt8(ascii: "\n") else { throw .missingChunkTerminator }
                    index += 2
                } else {
                    throw .missingChunkTerminator
                }
                scan = index
                state = .chunkSize
            case .closeDelimited:
                if let chunk = takeBody(upTo: .max) { return .body(chunk) }
                if sawEOF {
                    state = .complete
                    return .end(keepAlive: false)
                }
                return nil
            }
        }
    }
}

extension HTTP1ResponseParser {
    /// The head announced no body (HEAD, 204, 304, Content-Length: 0) and `.end` is next.
    public var isAtEmptyBody: Bool {
        if case .fixedBody(0) = state { return true }
        return false
    }
}
