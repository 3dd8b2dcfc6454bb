/// An IPv4 or IPv6 address written as text, as `inet_pton` reads it (dotted quad without
/// leading zeros; IPv6 with `::` and an optional IPv4 tail; no zone). Brackets around an
/// IPv6 literal are allowed, as in URLs.
///
/// Parsed here in Swift because `HTTPCore` imports no C: the backends, the mock and the
/// pool (no_proxy matching, SOCKS5 addresses) all need to tell a literal from a name, and
/// a literal never needs a lookup.
package struct IPAddressLiteral: Sendable, Hashable {
    /// Network order: 4 bytes for IPv4, 16 for IPv6.
    package let bytes: [UInt8]
    /// The literal as given, without brackets.
    package let text: String

    package var isIPv6: Bool { bytes.count == 16 }

    package init?(_ host: String) {
        var text = Substring(host)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard let bytes = text.contains(":") ? Self.ipv6(text) : Self.ipv4(text) else { return nil }
        self.bytes = bytes
        self.text = String(text)
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit),
                  part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// Up to eight hex groups; one `::` stands for one or more zero groups.
    private static func ipv6(_ text: Substring) -> [UInt8]? {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        let isTail = halves.count == 1 ? [true] : [false, true]
        var parsed: [[UInt8]] = []
        for (half, last) in zip(halves, isTail) {
            guard let bytes = groups(half, mayEndInIPv4: last) else { return nil }
            parsed.append(bytes)
        }
        if parsed.count == 1 { return parsed[0].count == 16 ? parsed[0] : nil }
        let filled = parsed[0].count + parsed[1].count
        guard filled <= 14 else { return nil }
        return parsed[0] + Array(repeating: 0, count: 16 - filled) + parsed[1]
    }

    private static func groups(_ text: Substring, mayEndInIPv4: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if mayEndInIPv4, index == fields.count - 1, field.contains(".") {
                guard let tail = ipv4(field) else { return nil }
                bytes += tail
            } else {
                guard (1...4).contains(field.count), field.allSatisfy(\.isASCIIHexDigit), let value = UInt16(field, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
        }
        return bytes
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
    var isASCIIHexDigit: Bool { isASCII && isHexDigit }
}
