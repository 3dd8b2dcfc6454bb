/// One Set-Cookie field value read by RFC 6265 §5.2, before it is resolved against the URL
/// that sent it: the pair and the attributes a jar understands (the last of each name
/// wins, unknown ones are skipped). A line with no `=` in its pair or an empty name is
/// refused (nil), as are a pair over `maxPairSize` bytes and control bytes in the pair
/// (RFC 6265bis §5.6); an attribute value over 1024 bytes or one that does not parse
/// (a bad date, a non-numeric Max-Age, an empty Domain) is skipped.
struct SetCookie: Sendable, Equatable {
    enum MaxAge: Sendable, Equatable {
        /// Zero or negative: the cookie is deleted.
        case expired
        case seconds(Int64)
    }

    var name: Substring
    var value: Substring
    /// Seconds since 1970 UTC.
    var expires: Int64?
    var maxAge: MaxAge?
    /// Lowercased, the leading dot removed.
    var domain: String?
    /// Nil when absent or not starting with `/`: the default path applies.
    var path: Substring?
    var secure = false
    var httpOnly = false

    static let maxAttributeValueSize = 1024

    init?(_ line: String, maxPairSize: Int = 4096) {
        let whole = Substring(line)
        let pairEnd = whole.utf8.firstIndex(of: UInt8(ascii: ";")) ?? whole.endIndex
        let pair = whole[..<pairEnd]
        guard let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        name = SetCookie.trimmed(pair[..<equals])
        value = SetCookie.trimmed(pair[pair.index(after: equals)...])
        guard !name.isEmpty, name.utf8.count + value.utf8.count <= maxPairSize,
              !name.utf8.contains(where: SetCookie.isControl), !value.utf8.contains(where: SetCookie.isControl)
        else { return nil }
        for attribute in whole[pairEnd...].utf8.split(separator: UInt8(ascii: ";")) {
            readAttribute(Substring(attribute))
        }
    }

    private mutating func readAttribute(_ attribute: Substring) {
        let equals = attribute.utf8.firstIndex(of: UInt8(ascii: "="))
        let name = SetCookie.trimmed(attribute[..<(equals ?? attribute.endIndex)])
        let value = equals.map { SetCookie.trimmed(attribute[attribute.index(after: $0)...]) } ?? ""
        guard value.utf8.count <= SetCookie.maxAttributeValueSize else { return }
        switch name.lowercased() {
        case "expires":
            if let date = CookieDate.parse(value) { expires = date }
        case "max-age":
            if let age = SetCookie.maxAge(value) { maxAge = age }
        case "domain":
            guard !value.isEmpty else { return }
            domain = String(value.utf8.first == UInt8(ascii: ".") ? value.dropFirst() : value).lowercased()
        case "path":
            path = value.utf8.first == UInt8(ascii: "/") ? value : nil
        case "secure":
            secure = true
        case "httponly":
            httpOnly = true
        default:
            break
        }
    }

    /// RFC 6265bis §4.1.3, any case: a `__Secure-` cookie is Secure; a `__Host-` one is
    /// Secure, host-only and for the whole host (`Path=/`), so no other host or path can
    /// have set it.
    var keepsPrefixRules: Bool {
        if SetCookie.hasPrefix(name, "__secure-") { return secure }
        if SetCookie.hasPrefix(name, "__host-") { return secure && domain == nil && path == "/" }
        return true
    }

    private static func hasPrefix(_ name: Substring, _ lowercasePrefix: String) -> Bool {
        name.utf8.count >= lowercasePrefix.utf8.count
            && zip(name.utf8, lowercasePrefix.utf8).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
    }

    /// `-`? DIGIT+; values past `Int64` saturate (the jar caps them anyway).
    private static func maxAge(_ text: Substring) -> MaxAge? {
        let negative = text.utf8.first == UInt8(ascii: "-")
        let digits = negative ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var seconds: Int64 = 0
        for byte in digits {
            let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = scaled.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { seconds = .max; break }
            seconds = sum
        }
        return negative || seconds == 0 ? .expired : .seconds(seconds)
    }

    /// Without leading and trailing spaces and tabs (WSP).
    private static func trimmed(_ text: Substring) -> Substring {
        let isWhitespace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isWhitespace($0) }), let last = utf8.lastIndex(where: { !isWhitespace($0) }) else {
            return text[text.endIndex...]
        }
        return Substring(utf8[first..<utf8.index(after: last)])
    }

    /// %x00-08 / %x0A-1F / %x7F: a horizontal tab is allowed.
    private static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }
}
