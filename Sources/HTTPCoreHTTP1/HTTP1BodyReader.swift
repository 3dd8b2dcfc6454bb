import HTTPTypes

/// Reads one message body once its head has fixed the framing (RFC 9112 section 6.3):
/// shared by the response and request parsers, so a chunked body, its trailers and a
/// cut-short body mean the same thing on both sides.
struct HTTP1BodyReader: Sendable {
    enum State: Sendable {
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(HTTP1FieldSection)
        /// Responses only: the body ends when the connection does.
        case untilClose
        /// `.trailers` was returned and `.end` is still owed.
        case endOwed
        case done
    }

    enum Event: Sendable {
        case body([UInt8])
        case trailers(HTTPFields)
        case end
    }

    var state: State

    /// The next piece of the body, or nil when more bytes (or EOF) are needed or the body
    /// is done. EOF before the body's end is `truncatedBody`.
    mutating func next(
        _ input: inout HTTP1InputBuffer, limits: HTTP1Limits, allowsObsFold: Bool
    ) throws(HTTP1ParseError) -> Event? {
        while true {
            switch state {
            case .done:
                return nil
            case .endOwed:
                state = .done
                return .end
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end
                }
                guard let chunk = input.takeBody(upTo: remaining) else { return try needMore(input) }
                state = .fixed(remaining: remaining - chunk.count)
                return .body(chunk)
            case .chunkSize:
                guard let line = try input.nextLine(limit: limits.maxChunkLineLength, tooLong: .chunkLineTooLong) else {
                    return try needMore(input)
                }
                let size = try parseChunkSize(line)
                state = size == 0 ? .trailers(HTTP1FieldSection()) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard let chunk = input.takeBody(upTo: remaining) else { return try needMore(input) }
                state = chunk.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - chunk.count)
                return .body(chunk)
            case .chunkDataEnd:
                guard try input.consumeChunkDataEnd() else { return try needMore(input) }
                state = .chunkSize
            case .trailers(var section):
                state = .done  // `section` is then the only owner of its fields: appends stay in place
                guard try section.read(from: &input, limits: limits, allowsObsFold: allowsObsFold) else {
                    state = .trailers(section)
                    return try needMore(input)
                }
                if section.fields.isEmpty { return .end }
                state = .endOwed
                return .trailers(section.fields)
            case .untilClose:
                if let chunk = input.takeBody(upTo: .max) { return .body(chunk) }
                guard input.sawEOF else { return nil }
                state = .done
                return .end
            }
        }
    }

    private func needMore(_ input: HTTP1InputBuffer) throws(HTTP1ParseError) -> Event? {
        if input.sawEOF { throw .truncatedBody }
        return nil
    }
}
