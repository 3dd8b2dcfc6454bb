import HTTPCore

/// An absolute http(s) URL as the client sends it: scheme, authority, path and query (the
/// fragment never leaves the client).
///
/// Relative URLs join a base URL as httpx joins them, not as RFC 3986 §5 resolves
/// references: the base path is a prefix (`https://api/v1` + `/users` is
/// `https://api/v1/users`), so an API client's paths never climb out of its base.
/// Bytes a request target may not carry (space, controls, non-ASCII, `"<>\^`{|}`) are
/// percent-encoded; CR, LF and NUL are refused outright.
struct ClientURL: Sendable, Hashable {
    var scheme: String
    var authority: String
    var path: String
    var query: String?
    /// Parsed once, here: `build` routes by it.
    let origin: Origin?

    /// Where `://` starts and ends in `text`, by bytes (no String searching).
    static func schemeSeparator(in text: String) -> Range<String.Index>? {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while let colon = utf8[index...].firstIndex(of: UInt8(ascii: ":")) {
            let slash1 = utf8.index(after: colon)
            guard slash1 < utf8.endIndex else { return nil }
            let slash2 = utf8.index(after: slash1)
            if utf8[slash1] == UInt8(ascii: "/"), slash2 < utf8.endIndex, utf8[slash2] == UInt8(ascii: "/") {
                return colon..<utf8.index(after: slash2)
            }
            index = slash1
        }
        return nil
    }

    /// Parses `scheme://authority[/path][?query][#fragment]` for http and https.
    init?(absolute text: String) {
        guard let separator = ClientURL.schemeSeparator(in: text) else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        // Visible ASCII only, none of the bytes a URL may not carry (a space, `"<>\^`{|}`):
        // `Origin` checks the shape, not the bytes. Hosts are case-insensitive, so the
        // authority is kept lowercased and without the scheme's default port: one origin,
        // one spelling.
        let authorityBytes = rest[..<authorityEnd].utf8
        guard authorityBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !authorityBytes.contains(where: { "\"<>\\^`{|}".utf8.contains($0) }),
              let origin = Origin(scheme: scheme, authority: rest[..<authorityEnd].lowercased())
        else { return nil }
        self.origin = origin
        self.scheme = scheme
        self.authority = origin.authority
        (path, query) = ClientURL.splitTarget(rest[authorityEnd...])
        if path.isEmpty { path = "/" }
    }

    /// The URL for `text`: itself when absolute, else joined to `base`.
    static func resolve(_ text: String, against base: ClientURL?) throws(HTTPCoreError) -> ClientURL {
        try Request.refuseControlBytes(in: text, what: "URL")
        if ClientURL.schemeSeparator(in: text) != nil {
            // Userinfo was taken off before (`strippingUserinfo`), so nothing here quotes a secret.
            if let url = ClientURL(absolute: text) { return url }
            throw HTTPCoreError(.invalidRequest, "URL \(text.debugDescription) is not a valid http(s)://host[:port] URL", processing: .notProcessed)
        }
        guard var url = base else {
            throw HTTPCoreError(.invalidRequest, "relative URL \(text.debugDescription) needs a base URL (Configuration.baseURL)", processing: .notProcessed)
        }
        let (path, query) = splitTarget(Substring(text))
        if !path.isEmpty {
            let prefix = url.path.hasSuffix("/") ? url.path : url.path + "/"
            url.path = prefix + path.drop { $0 == "/" }
        }
        url.query = query ?? (path.isEmpty ? url.query : nil)
        return url
    }

    /// What goes on the request line or into `:path`.
    var requestTarget: String { query.map { path + "?" + $0 } ?? path }

    var string: String { scheme + "://" + authority + requestTarget }

    /// Adds `name=value` pairs to the query, percent-encoded (RFC 3986 unreserved bytes
    /// stay, a space is `%20`), after any query the URL already has.
    mutating func appendQuery(_ params: NameValuePairs) {
        guard !params.isEmpty else { return }
        var added: [UInt8] = []
        for (index, (name, value)) in params.enumerated() {
            if index > 0 { added.append(UInt8(ascii: "&")) }
            PercentEncoding.append(name, to: &added, spaceAsPlus: false)
            added.append(UInt8(ascii: "="))
            PercentEncoding.append(value, to: &added, spaceAsPlus: false)
        }
        let text = String(decoding: added, as: UTF8.self)
        if let query, !query.isEmpty { self.query = query + "&" + text } else { query = text }
    }

    /// Splits `path?query#fragment`, dropping the fragment and escaping what a target may
    /// not carry.
    private static func splitTarget(_ target: Substring) -> (path: String, query: String?) {
        let beforeFragment = target[..<(target.utf8.firstIndex(of: UInt8(ascii: "#")) ?? target.endIndex)]
        guard let mark = beforeFragment.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (PercentEncoding.escapeTarget(beforeFragment), nil) }
        return (
            PercentEncoding.escapeTarget(beforeFragment[..<mark]),
            PercentEncoding.escapeTarget(beforeFragment[beforeFragment.index(after: mark)...])
        )
    }
}
