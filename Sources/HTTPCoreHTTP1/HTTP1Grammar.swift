/// The byte classes and small productions of RFC 9110 and RFC 9112 that both parsers
/// use, as free functions on bytes: they run for every line, so no String is made.

/// A chunk-size line: hex digits, optional whitespace, then nothing or `;` extensions
/// (bounded by the chunk-line limit and otherwise ignored).
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

/// CR is legal only as part of a line end, NUL nowhere in a head.
func rejectCRAndNUL(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) {
    for byte in line where byte <= UInt8(ascii: "\r") {
        if byte == 0 { throw .nulByte }
        if byte == UInt8(ascii: "\r") { throw .bareCR }
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
