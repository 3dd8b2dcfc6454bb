import HTTPTypes

/// A header or trailer section being collected, line by line, under `HTTP1Limits`: shared
/// by the response and request parsers so both judge field lines the same way.
struct HTTP1FieldSection: Sendable {
    var fields = HTTPFields()
    /// The raw length of the last field line, folded continuations included.
    var lastLineLength = 0
    /// Every field line so far with its line ending.
    var sectionSize = 0

    /// Reads field lines from `input` until the empty line that ends the section: true
    /// when it has arrived, false when more bytes are needed (the lines so far are kept).
    mutating func read(
        from input: inout HTTP1InputBuffer, limits: HTTP1Limits, allowsObsFold: Bool
    ) throws(HTTP1ParseError) -> Bool {
        while true {
            let lineStart = input.index
            guard let line = try input.nextLine(limit: limits.maxFieldLineLength, tooLong: .fieldLineTooLong) else { return false }
            if line.isEmpty { return true }
            try add(line, consumed: input.index - lineStart, limits: limits, allowsObsFold: allowsObsFold)
        }
    }

    /// Adds one field line (`consumed` is its length with the line ending). A line that
    /// starts with whitespace is obs-fold: unfolded to one space when `allowsObsFold`,
    /// refused otherwise (requests: RFC 9112 section 5.2 lets a server refuse it, and a
    /// fold that one hop joins and another splits is a smuggling vector).
    mutating func add(
        _ line: ArraySlice<UInt8>, consumed: Int, limits: HTTP1Limits, allowsObsFold: Bool
    ) throws(HTTP1ParseError) {
        try rejectCRAndNUL(line)
        if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
            guard allowsObsFold else { throw .obsFold }
            guard !fields.isEmpty else { throw .invalidObsFold }
            lastLineLength += line.count
            if lastLineLength > limits.maxFieldLineLength { throw .fieldLineTooLong }
            let continuation = trimOWS(line)
            guard continuation.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
            if !continuation.isEmpty {
                // As bytes: a value need not be UTF-8 (obs-text).
                let last = fields.count - 1
                var value = fields[last].withUnsafeBytesOfValue { Array($0) }
                if !value.isEmpty { value.append(UInt8(ascii: " ")) }
                value += continuation
                fields[last] = HTTPField(name: fields[last].name, value: value)
            }
        } else {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidFieldName }
            let name = line[..<colon]
            guard let last = name.last else { throw .invalidFieldName }
            if last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { throw .whitespaceBeforeColon }
            guard name.allSatisfy(isTokenByte) else { throw .invalidFieldName }
            let value = trimOWS(line[(colon + 1)...])
            guard value.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
            guard fields.count < limits.maxFieldCount else { throw .tooManyFields }
            // A token by the check above; should HTTPTypes still refuse it, that is an error, not a trap.
            guard let fieldName = Self.commonName(name) ?? HTTPField.Name(String(decoding: name, as: UTF8.self)) else {
                throw .invalidFieldName
            }
            // Room for a typical head at once, instead of regrowing at 1, 2, 4 and 8 fields.
            if fields.isEmpty { fields.reserveCapacity(12) }
            fields.append(HTTPField(name: fieldName, value: value))
            lastLineLength = line.count
        }
        sectionSize += consumed
        if sectionSize > limits.maxHeaderSectionSize { throw .headerSectionTooLarge }
    }

    /// Names most messages carry, spelled as most peers send them or in lowercase: a
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
            .http1Host, .userAgent, .accept, .acceptEncoding, .acceptLanguage,
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
}
