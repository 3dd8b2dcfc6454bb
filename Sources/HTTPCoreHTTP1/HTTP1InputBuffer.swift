/// The bytes of one connection that a parser has received and not yet consumed, shared by
/// the response and request parsers so both read lines, bodies and chunk ends the same way.
///
/// Body bytes are handed over without a copy when the buffer holds nothing else, and the
/// search for a line end resumes where the last feed stopped, so a line that arrives a
/// byte at a time is scanned once.
struct HTTP1InputBuffer: Sendable {
    /// Whether a line must end in CRLF (requests) or may end in a bare LF (responses).
    let requiresCRLF: Bool
    var bytes: [UInt8] = []
    /// Bytes before `index` are consumed.
    var index = 0
    /// Where the search for the current line's LF resumes.
    var scan = 0
    var sawEOF = false

    init(requiresCRLF: Bool) { self.requiresCRLF = requiresCRLF }

    var count: Int { bytes.count - index }

    mutating func append(_ new: [UInt8]) {
        if index == bytes.count {
            bytes = new
            index = 0
            scan = 0
        } else {
            if index > 4096, index * 2 > bytes.count {
                bytes.removeFirst(index)
                scan -= index
                index = 0
            }
            bytes.append(contentsOf: new)
        }
    }

    /// The next complete line without its ending, or nil if it has not all arrived. A
    /// partial line already longer than `limit` (plus a possible CR) fails now.
    mutating func nextLine(limit: Int, tooLong: HTTP1ParseError) throws(HTTP1ParseError) -> ArraySlice<UInt8>? {
        let lineStart = index
        guard let lf = bytes[scan...].firstIndex(of: UInt8(ascii: "\n")) else {
            scan = bytes.count
            if bytes.count - lineStart > limit + 1 { throw tooLong }
            return nil
        }
        var end = lf
        let crlf = end > lineStart && bytes[end - 1] == UInt8(ascii: "\r")
        if crlf { end -= 1 }
        // The length first: a line over the limit fails as too long whether or not its end
        // has arrived (above), so the error cannot depend on how the bytes were split.
        if end - lineStart > limit { throw tooLong }
        if !crlf, requiresCRLF { throw .bareLF }
        let line = bytes[lineStart..<end]
        index = lf + 1
        scan = index
        return line
    }

    /// Consumes up to `max` body bytes, handing over the whole buffer without a copy when
    /// it is all body.
    mutating func takeBody(upTo max: Int) -> [UInt8]? {
        let available = bytes.count - index
        guard available > 0, max > 0 else { return nil }
        let count = Swift.min(available, max)
        if index == 0, count == bytes.count {
            defer {
                bytes = []
                scan = 0
            }
            return bytes
        }
        defer {
            index += count
            scan = index
        }
        return Array(bytes[index..<index + count])
    }

    /// Consumes the line end after chunk data: true when it was there, false when more
    /// bytes are needed. Anything else means the chunk size lied.
    mutating func consumeChunkDataEnd() throws(HTTP1ParseError) -> Bool {
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "\n") {
            if requiresCRLF { throw .bareLF }
            index += 1
        } else if bytes[index] == UInt8(ascii: "\r") {
            guard index + 1 < bytes.count else { return false }
            guard bytes[index + 1] == UInt8(ascii: "\n") else { throw .missingChunkTerminator }
            index += 2
        } else {
            throw .missingChunkTerminator
        }
        scan = index
        return true
    }

    /// Removes and returns the unconsumed bytes.
    mutating func takeAll() -> [UInt8] {
        defer {
            bytes = []
            index = 0
            scan = 0
        }
        return Array(bytes[index...])
    }
}
