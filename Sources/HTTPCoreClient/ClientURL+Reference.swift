import HTTPCore

extension ClientURL {
    /// A `Location` (RFC 9110 §10.2.2) resolved against this URL as RFC 3986 §5.2 resolves
    /// references: absolute, scheme-relative (`//host/p`), absolute-path, query-only or
    /// relative-path, with dot segments removed. Nil for anything that is not an http(s)
    /// URL with a valid authority: a malformed Location is never taken as same-origin.
    func resolving(reference text: String) -> ClientURL? {
        guard !text.isEmpty, !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        if let separator = ClientURL.schemeSeparator(in: text) {
            // Only a scheme of letters, digits, +, -, . may stand before "://".
            let scheme = text[..<separator.lowerBound]
            guard !scheme.isEmpty, scheme.utf8.allSatisfy({ ClientURL.isSchemeByte($0) }), var url = ClientURL(absolute: text) else { return nil }
            url.path = ClientURL.removingDotSegments(url.path)
            return url
        }
        if let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")),
           !text[..<colon].utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            return nil // another scheme (mailto:, javascript:, data:): not followed
        }
        if text.hasPrefix("//") { return ClientURL(absolute: scheme + ":" + text).map { url in
            var url = url
            url.path = ClientURL.removingDotSegments(url.path)
            return url
        } }
        let beforeFragment = text[..<(text.utf8.firstIndex(of: UInt8(ascii: "#")) ?? text.endIndex)]
        let mark = beforeFragment.utf8.firstIndex(of: UInt8(ascii: "?"))
        let referencePath = String(beforeFragment[..<(mark ?? beforeFragment.endIndex)])
        let referenceQuery = mark.map { String(beforeFragment[beforeFragment.index(after: $0)...]) }
        var url = self
        if referencePath.isEmpty {
            // Escaped as the other branch escapes it: a raw space here would split the
            // request line (the redirects fuzz target found `Location: ?a b`).
            url.query = referenceQuery.map { PercentEncoding.escapeTarget(Substring($0)) } ?? query
        } else {
            let merged = referencePath.hasPrefix("/")
                ? referencePath
                : String(path[...(path.lastIndex(of: "/") ?? path.startIndex)]) + referencePath
            url.path = ClientURL.removingDotSegments(PercentEncoding.escapeTarget(Substring(merged)))
            url.query = referenceQuery.map { PercentEncoding.escapeTarget(Substring($0)) }
        }
        return url
    }

    static func isSchemeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    /// RFC 3986 §5.2.4 on a path that starts with "/".
    static func removingDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let last = index == segments.count - 1
            switch segment {
            case ".":
                if last { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            default:
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}
