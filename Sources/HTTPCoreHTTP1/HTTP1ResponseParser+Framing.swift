import HTTPCore
import HTTPTypes

extension HTTP1ResponseParser {
    /// Ends a head: 1xx heads loop back for the final response; a final head decides how
    /// the body is framed (RFC 9112 section 6.3) and whether the connection may be reused.
    mutating func finishHead(_ head: Head) throws(HTTP1ParseError) -> HTTP1ResponseEvent? {
        let fields = head.fields
        let status = HTTPResponse.Status(code: head.status, reasonPhrase: String(decoding: head.reason, as: UTF8.self))
        let response = HTTPResponse(status: status, headerFields: fields)
        if (100..<200).contains(head.status) {
            if head.status == 101 { throw .unsolicitedUpgrade }
            state = .statusLine
            return .informational(response)
        }

        keepAlive = Self.keepAlive(version: head.version, fields: fields)
        if method == .head || head.status == 204 || head.status == 304 {
            state = .fixedBody(remaining: 0)
        } else if method == .connect, (200..<300).contains(head.status) {
            // A tunnel: what follows belongs to the tunnel, not to HTTP.
            keepAlive = false
            state = .fixedBody(remaining: 0)
        } else if fields[values: .transferEncoding].isEmpty == false {
            let chunked = try Self.isChunked(fields[values: .transferEncoding])
            state = chunked ? .chunkSize : .closeDelimited
            if !chunked || fields[.contentLength] != nil || head.version == .http1_0 { keepAlive = false }
        } else if let length = try Self.contentLength(fields[values: .contentLength]) {
            state = .fixedBody(remaining: length)
        } else {
            state = .closeDelimited
            keepAlive = false
        }
        return .head(response, head.version)
    }

    /// HTTP/1.1 persists unless told `close`; HTTP/1.0 only with `keep-alive`.
    static func keepAlive(version: HTTPVersion, fields: HTTPFields) -> Bool {
        var close = false
        var keepAlive = false
        for field in fields where field.name == .connection {
            for token in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                let token = token.trimmingOWS
                if token.equalsIgnoringASCIICase("close") { close = true }
                if token.equalsIgnoringASCIICase("keep-alive") { keepAlive = true }
            }
        }
        if close { return false }
        return version == .http1_1 || keepAlive
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
        for value in values {
            for token in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let digits = token.trimmingOWS
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
            }
        }
        return length
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
