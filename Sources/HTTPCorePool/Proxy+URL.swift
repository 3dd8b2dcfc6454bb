public import HTTPCore
public import HTTPCoreTLS

extension Proxy {
    /// Reads `scheme://[user[:password]@]host[:port][/]` with scheme `http`, `https`,
    /// `socks5` or `socks5h`. The username and password are percent-decoded (so a `:`, `@`
    /// or `/` in them must be written `%3A`, `%40`, `%2F`). Throws `.invalidRequest` naming
    /// the part that is wrong; the message never repeats the URL, which may hold a password.
    public init(url: String, tls: TLSConfiguration? = nil) throws(HTTPCoreError) {
        guard let separator = url.firstRange(of: "://"), let kind = Kind(rawValue: url[..<separator.lowerBound].lowercased()) else {
            throw HTTPCoreError(.invalidRequest, "a proxy URL starts with http://, https://, socks5:// or socks5h://")
        }
        var authority = url[separator.upperBound...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard authority[end...] == "/" else {
                throw HTTPCoreError(.invalidRequest, "a proxy URL has no path, query or fragment")
            }
            authority = authority[..<end]
        }
        var credentials: Credentials?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let colon = userinfo.firstIndex(of: ":")
            let username = colon.map { userinfo[..<$0] } ?? userinfo
            let password = colon.map { userinfo[userinfo.index(after: $0)...] } ?? ""
            credentials = Credentials(
                username: try Self.percentDecoded(username, what: "username"),
                password: try Self.percentDecoded(password, what: "password")
            )
        }
        let (host, port) = try Self.hostAndPort(authority)
        self.init(kind, host: host, port: port, credentials: credentials, tls: tls)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`; nil port when none is given.
    private static func hostAndPort(_ authority: Substring) throws(HTTPCoreError) -> (String, Int?) {
        var host = authority
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw HTTPCoreError(.invalidRequest, "a proxy URL's IPv6 address lacks its closing bracket")
            }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw HTTPCoreError(.invalidRequest, "a proxy URL has text after its IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "%") }) else {
            throw HTTPCoreError(.invalidRequest, "a proxy URL needs a host of visible ASCII")
        }
        guard let portText else { return (String(host), nil) }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65535).contains(port) else {
            throw HTTPCoreError(.invalidRequest, "a proxy URL's port must be 1 to 65535")
        }
        return (String(host), port)
    }

    /// `%XX` escapes to bytes, then UTF-8 to text; a stray `%` or invalid UTF-8 is an error.
    private static func percentDecoded(_ text: Substring, what: String) throws(HTTPCoreError) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                index = utf8.index(after: index)
                continue
            }
            let high = utf8.index(after: index)
            guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
                  let value = UInt8(String(decoding: utf8[high...utf8.index(after: high)], as: UTF8.self), radix: 16)
            else {
                throw HTTPCoreError(.invalidRequest, "the proxy \(what) has a % that is not followed by two hex digits")
            }
            bytes.append(value)
            index = utf8.index(high, offsetBy: 2)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw HTTPCoreError(.invalidRequest, "the proxy \(what) is not UTF-8 once percent-decoded")
        }
        return decoded
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
