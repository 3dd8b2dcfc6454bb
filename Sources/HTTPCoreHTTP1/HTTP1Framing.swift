import HTTPCore
import HTTPTypes

/// Framing and persistence rules both parsers (and the request encoder) apply to a head's
/// fields, so a Content-Length or Transfer-Encoding means the same on either side.
enum HTTP1Framing {
    /// HTTP/1.1 persists unless told `close`; HTTP/1.0 only with `keep-alive`.
    static func keepAlive(version: HTTPVersion, fields: HTTPFields) -> Bool {
        var close = false
        var keepAlive = false
        forEachConnectionOption(in: fields) { token in
            if token.equalsIgnoringASCIICase("close") { close = true }
            if token.equalsIgnoringASCIICase("keep-alive") { keepAlive = true }
        }
        if close { return false }
        return version == .http1_1 || keepAlive
    }

    /// Whether a Connection field names `close`.
    static func announcesClose(_ fields: HTTPFields) -> Bool {
        var close = false
        forEachConnectionOption(in: fields) { token in
            if token.equalsIgnoringASCIICase("close") { close = true }
        }
        return close
    }

    /// Every non-empty comma-separated option of every Connection field, trimmed, read in
    /// place (a split would allocate its list for every response).
    private static func forEachConnectionOption(in fields: HTTPFields, _ body: (Substring.UTF8View) -> Void) {
        for field in fields where field.name == .connection {
            var rest = field.value.utf8[...]
            while !rest.isEmpty {
                let comma = rest.firstIndex(of: UInt8(ascii: ",")) ?? rest.endIndex
                let token = rest[..<comma].trimmingOWS
                if !token.isEmpty { body(token) }
                rest = comma == rest.endIndex ? rest[comma...] : rest[rest.index(after: comma)...]
            }
        }
    }

    /// Whether the final transfer coding is `chunked`. `chunked` twice, or an empty coding,
    /// is malformed.
    static func isChunked(_ values: [String]) throws(HTTP1ParseError) -> Bool {
        var chunkedCount = 0
        var lastIsChunked = false
        for value in values {
            for token in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let coding = token.trimmingOWS
                guard !coding.isEmpty else { throw .invalidTransferEncoding }
                lastIsChunked = coding.equalsIgnoringASCIICase("chunked")
                if lastIsChunked { chunkedCount += 1 }
            }
        }
        guard chunkedCount <= 1 else { throw .invalidTransferEncoding }
        return lastIsChunked
    }

    /// The body length from every Content-Length value: each must be digits only, and a
    /// list (or repeated field) must agree. Nil when there is none.
    static func contentLength(_ values: [String]) throws(HTTP1ParseError) -> Int? {
        var length: Int?
        for value in values { try merge(value, into: &length) }
        return length
    }

    /// `contentLength` over the Content-Length fields of `fields`, without gathering their
    /// values into an array first (a response's head pays for no list).
    static func contentLength(in fields: HTTPFields) throws(HTTP1ParseError) -> Int? {
        var length: Int?
        for field in fields where field.name == .contentLength { try merge(field.value, into: &length) }
        return length
    }

    /// Each comma-separated token of `value` must be a length equal to `length` (if set).
    private static func merge(_ value: String, into length: inout Int?) throws(HTTP1ParseError) {
        var utf8 = value.utf8[...]
        while true {
            let comma = utf8.firstIndex(of: UInt8(ascii: ","))
            let digits = utf8[..<(comma ?? utf8.endIndex)].trimmingOWS
            guard !digits.isEmpty, digits.allSatisfy(isDigit) else { throw .invalidContentLength }
            var parsed = 0
            for digit in digits {
                let (shifted, overflow1) = parsed.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw .invalidContentLength }
                parsed = sum
            }
            if let length, length != parsed { throw .conflictingContentLength }
            length = parsed
            guard let comma else { return }
            utf8 = utf8[utf8.index(after: comma)...]
        }
    }
}

/// Field values are read as bytes: these run for every response, and Character
/// iteration (grapheme breaking) costs more than the rest of the parse.
extension Substring.UTF8View {
    /// Without leading and trailing spaces and tabs.
    var trimmingOWS: Substring.UTF8View {
        var start = startIndex
        var end = endIndex
        while start < end, isOWS(self[start]) { start = index(after: start) }
        while end > start, isOWS(self[index(before: end)]) { end = index(before: end) }
        return self[start..<end]
    }

    /// ASCII case-insensitive comparison with a lowercase `other`, without a lowercased copy.
    func equalsIgnoringASCIICase(_ other: StaticString) -> Bool {
        guard count == other.utf8CodeUnitCount else { return false }
        return other.withUTF8Buffer { other in
            zip(self, other).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingOWS: Substring {
        let bytes = Substring(self).utf8.trimmingOWS
        return Substring(bytes)
    }
}

@inline(__always) func isOWS(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

extension HTTPField.Name {
    /// HTTPTypes marks `.host` unavailable (HTTP/2 and 3 carry `:authority`), but HTTP/1.1
    /// frames the authority in this field.
    static let http1Host = HTTPField.Name("Host")!
}
