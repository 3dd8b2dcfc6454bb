import HTTPTypes

extension HTTP1RequestParser {
    /// The request-target in one of its four forms (RFC 9112 section 3.2), checked byte by
    /// byte against the URI grammar (RFC 3986): a target with a space, a quote, a fragment
    /// or a bad percent-escape is refused rather than passed on for a handler or an
    /// upstream to read differently.
    enum Target: Sendable {
        /// `/path?query`.
        case origin(path: String)
        /// `http://host:port/path?query`; the scheme lowercased, the path `/` when empty.
        case absolute(scheme: String, authority: String, path: String)
        /// `host:port`, CONNECT's form and its only one.
        case authority(String)
        /// `*`, OPTIONS's server-wide form.
        case asterisk

        init(_ bytes: ArraySlice<UInt8>, method: HTTPRequest.Method) throws(HTTP1ParseError) {
            if method == .connect {
                guard isAuthority(bytes, requiresPort: true) else { throw .invalidRequestTarget }
                self = .authority(String(decoding: bytes, as: UTF8.self))
            } else if bytes.elementsEqual("*".utf8) {
                guard method == .options else { throw .invalidRequestTarget }
                self = .asterisk
            } else if bytes.first == UInt8(ascii: "/") {
                guard isPathAndQuery(bytes) else { throw .invalidRequestTarget }
                self = .origin(path: String(decoding: bytes, as: UTF8.self))
            } else {
                self = try Self.absolute(bytes)
            }
        }

        /// `http://` or `https://` (any case), an authority without userinfo, then an
        /// optional path and query. Other schemes are not HTTP's to serve.
        private static func absolute(_ bytes: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Target {
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidRequestTarget }
            let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
            let rest = bytes[(colon + 1)...]
            guard scheme == "http" || scheme == "https", rest.starts(with: "//".utf8) else { throw .invalidRequestTarget }
            let afterSlashes = rest.dropFirst(2)
            let pathStart = afterSlashes.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? afterSlashes.endIndex
            let authority = afterSlashes[..<pathStart]
            let path = afterSlashes[pathStart...]
            guard isAuthority(authority, requiresPort: false), isPathAndQuery(path) else { throw .invalidRequestTarget }
            let pathString = String(decoding: path, as: UTF8.self)
            return .absolute(
                scheme: scheme, authority: String(decoding: authority, as: UTF8.self),
                path: path.first == UInt8(ascii: "/") ? pathString : "/" + pathString
            )
        }
    }
}

/// `host [":" port]` of RFC 3986 without userinfo: an IP literal in brackets or a
/// reg-name (IPv4 is a reg-name by these bytes), and a port of 1 to 5 digits up to 65535.
func isAuthority(_ bytes: ArraySlice<UInt8>, requiresPort: Bool) -> Bool {
    var host = bytes
    var port: ArraySlice<UInt8>?
    if bytes.first == UInt8(ascii: "[") {
        guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
        let literal = bytes[(bytes.startIndex + 1)..<close]
        guard !literal.isEmpty, literal.allSatisfy({ hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
        else { return false }
        host = bytes[...close]
        let after = bytes[(close + 1)...]
        if !after.isEmpty {
            guard after.first == UInt8(ascii: ":") else { return false }
            port = after.dropFirst()
        }
    } else {
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            host = bytes[..<colon]
            port = bytes[(colon + 1)...]
        }
        guard !host.isEmpty, isPercentEncoded(host, allowing: isRegNameByte) else { return false }
    }
    guard let port else { return !requiresPort }
    guard (1...5).contains(port.count), port.allSatisfy(isDigit) else { return false }
    return port.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 65535
}

/// An absolute path with an optional query: `pchar`, `/` and `?` (RFC 3986 section 3.3).
func isPathAndQuery(_ bytes: ArraySlice<UInt8>) -> Bool {
    isPercentEncoded(bytes) {
        isRegNameByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?")
    }
}

/// Every byte is `allowed` or starts a `%HH` escape.
private func isPercentEncoded(_ bytes: ArraySlice<UInt8>, allowing allowed: (UInt8) -> Bool) -> Bool {
    var position = bytes.startIndex
    while position < bytes.endIndex {
        if bytes[position] == UInt8(ascii: "%") {
            guard position + 2 < bytes.endIndex,
                  hexValue(bytes[position + 1]) != nil, hexValue(bytes[position + 2]) != nil
            else { return false }
            position += 3
        } else {
            guard allowed(bytes[position]) else { return false }
            position += 1
        }
    }
    return true
}

/// `unreserved` and `sub-delims` of RFC 3986: what a reg-name holds besides escapes.
private func isRegNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
         UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
         UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
        true
    default:
        false
    }
}
