import HTTPCore
import HTTPTypes

extension HTTP1ResponseParser {
    /// The next complete line without its ending (CRLF or a bare LF), or nil if it has not
    /// all arrived. A partial line already longer than `limit` (plus a possible CR) fails now.
    mutating func nextLine(limit: Int, tooLong: HTTP1ParseError) throws(HTTP1ParseError) -> ArraySlice<UInt8>? {
        let lineStart = index
        guard let lf = buffer[scan...].firstIndex(of: UInt8(ascii: "\n")) else {
            scan = buffer.count
            if buffer.count - lineStart > limit + 1 { throw tooLong }
            return nil
        }
        var end = lf
        if end > lineStart, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = buffer[lineStart..<end]
        if line.count > limit { throw tooLong }
        index = lf + 1
        scan = index
        return line
    }

    /// Consumes up to `max` body bytes, handing over the whole buffer without a copy when
    /// it is all body.
    mutating func takeBody(upTo max: Int) -> [UInt8]? {
        let available = buffer.count - index
        guard available > 0, max > 0 else { return nil }
        let count = Swift.min(available, max)
        if index == 0, count == buffer.count {
            defer {
                buffer = []
                scan = 0
            }
            return buffer
        }
        defer {
            index += count
            scan = index
        }
        return Array(buffer[index..<index + count])
    }

    func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Head {
        try rejectCRAndNUL(line)
        let bytes = Array(line)
        guard bytes.starts(with: Array("HTTP/".utf8)) else { throw .invalidStatusLine }
        guard bytes.count >= 8, bytes[5] == UInt8(ascii: "1"), bytes[6] == UInt8(ascii: "."), isDigit(bytes[7]) else {
            throw .invalidVersion
        }
        guard bytes.count > 8 else { throw .invalidStatusLine }
        guard bytes[8] == UInt8(ascii: " ") else { throw .invalidVersion }
        guard bytes.count >= 12, bytes[9..<12].allSatisfy(isDigit) else { throw .invalidStatusCode }
        let status = bytes[9..<12].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 else { throw .invalidStatusCode }
        var reason: [UInt8] = []
        if bytes.count > 12 {
            guard bytes[12] == UInt8(ascii: " ") else { throw .invalidStatusCode }
            reason = Array(bytes[13...])
            guard reason.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
        }
        var head = Head()
        head.version = bytes[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
        head.status = status
        head.reason = reason
        return head
    }

    func addFieldLine(_ line: ArraySlice<UInt8>, consumed: Int, to head: inout Head) throws(HTTP1ParseError) {
        try rejectCRAndNUL(line)
        if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
            guard !head.fields.isEmpty else { throw .invalidObsFold }
            head.lastLineLength += line.count
            if head.lastLineLength > limits.maxFieldLineLength { throw .fieldLineTooLong }
            let continuation = trimOWS(line)
            guard continuation.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
            if !continuation.isEmpty {
                // As bytes: a value need not be UTF-8 (obs-text).
                let last = head.fields.count - 1
                var value = head.fields[last].withUnsafeBytesOfValue { Array($0) }
                if !value.isEmpty { value.append(UInt8(ascii: " ")) }
                value += continuation
                head.fields[last] = HTTPField(name: head.fields[last].name, value: value)
            }
        } else {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidFieldName }
            let name = line[..<colon]
            guard let last = name.last else { throw .invalidFieldName }
            if last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { throw .whitespaceBeforeColon }
            guard name.allSatisfy(isTokenByte) else { throw .invalidFieldName }
            let value = trimOWS(line[(colon + 1)...])
            guard value.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
            guard head.fields.count < limits.maxFieldCount else { throw .tooManyFields }
            // A token by the check above; should HTTPTypes still refuse it, that is an error, not a trap.
            guard let fieldName = Self.commonName(name) ?? HTTPField.Name(String(decoding: name, as: UTF8.self)) else {
                throw .invalidFieldName
            }
            head.fields.append(HTTPField(name: fieldName, value: value))
            head.lastLineLength = line.count
        }
        head.sectionSize += consumed
        if head.sectionSize > limits.maxHeaderSectionSize { throw .headerSectionTooLarge }
    }

    /// Names most responses carry, spelled as most servers send them or in lowercase: a
    /// hit skips making and validating a String for the name. Any other spelling takes the
    /// general path. Either way the name keeps the case it came in.
    static func commonName(_ bytes: ArraySlice<UInt8>) -> HTTPField.Name? {
        guard bytes.count < commonNamesByLength.count else { return nil }
        for (spelling, name) in commonNamesByLength[bytes.count] where spelling.elementsEqual(bytes) { return name }
        return nil
    }

    private static let commonNamesByLength: [[(spelling: [UInt8], name: HTTPField.Name)]] = {
        let names: [HTTPField.Name] = [
            .server, .date, .contentType, .contentLength, .connection, .transferEncoding, .lastModified,
            .eTag, .acceptRanges, .cacheControl, .expires, .vary, .contentEncoding, .location, .setCookie, .age,
        ]
        var buckets = [[(spelling: [UInt8], name: HTTPField.Name)]](repeating: [], count: 20)
        for name in names {
            // Each spelling keeps its own case: the lowercase one is a name of its own.
            for spelling in Set([name.rawName, name.canonicalName]) {
                buckets[spelling.utf8.count].append((Array(spelling.utf8), HTTPField.Name(spelling)!))
            }
        }
        return buckets
    }()

    func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Int {
        try rejectCRAndNUL(line)
        var size = 0
        var position = line.startIndex
        while position < line.endIndex, let digit = hexValue(line[position]) {
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow else { throw .chunkSizeOverflow }
            size = shifted + digit
            position += 1
        }
        guard position > line.startIndex else { throw .invalidChunkSize }
        var rest = line[position...]
        while let first = rest.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { rest = rest.dropFirst() }
        guard rest.isEmpty || rest.first == UInt8(ascii: ";") else { throw .invalidChunkSize }
        guard rest.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
        return size
    }

    func rejectCRAndNUL(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) {
        for byte in line where byte <= UInt8(ascii: "\r") {
            if byte == 0 { throw .nulByte }
            if byte == UInt8(ascii: "\r") { throw .bareCR }
        }
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

@inline(__always) func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
}

/// VCHAR, obs-text, SP and HTAB: what a field value, reason phrase or chunk extension may hold.
@inline(__always) func isFieldContent(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F)
}

/// `tchar` of RFC 9110.
@inline(__always) func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
         UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
         UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

func trimOWS(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var trimmed = bytes
    while let first = trimmed.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { trimmed = trimmed.dropFirst() }
    while let last = trimmed.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { trimmed = trimmed.dropLast() }
    return trimmed
}
