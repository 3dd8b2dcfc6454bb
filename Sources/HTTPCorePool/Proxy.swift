public import HTTPCore
public import HTTPCoreTLS

/// A proxy every connection of a pool goes through (`ConnectionPool.Configuration.proxy`).
///
/// Routes, as httpcore takes them: through an HTTP or HTTPS proxy, http:// requests are
/// forwarded in absolute form over HTTP/1.1 and https:// origins get a CONNECT tunnel with
/// TLS to the origin inside (so ALPN can pick HTTP/2); through SOCKS5 every origin gets a
/// tunnel. Credentials go to the proxy only, never into a tunnel.
///
/// `description` names the proxy without its credentials, so it is safe to log.
public struct Proxy: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// An HTTP/1.1 proxy over TCP.
        case http
        /// An HTTP/1.1 proxy over TLS: TLS to the proxy, then (for https://) TLS to the
        /// origin inside it.
        case https
        /// SOCKS5 (RFC 1928) with host names resolved here, by `getaddrinfo`: the proxy
        /// gets an IP address (the first IPv4 one, else the first IPv6 one).
        case socks5
        /// SOCKS5 with host names resolved by the proxy: the name goes to the proxy and no
        /// DNS query leaves this host.
        case socks5h

        /// Port 80 for http, 443 for https, 1080 (IANA's SOCKS port) for SOCKS5.
        public var defaultPort: Int {
            switch self {
            case .http: 80
            case .https: 443
            case .socks5, .socks5h: 1080
            }
        }
    }

    /// A username and password for the proxy: HTTP Basic in `Proxy-Authorization`, or the
    /// RFC 1929 login for SOCKS5. They print as `<redacted>` and have no reflected children,
    /// so neither `print`, `dump` nor string interpolation shows them.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "<redacted>" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: [:]) }
    }

    public var kind: Kind
    /// A name or an IP literal (IPv6 without brackets).
    public var host: String
    public var port: Int
    public var credentials: Credentials?
    /// How to verify an `https` proxy. Nil: the pool's `tls` (its trust roots and
    /// verification). Either way ALPN offers only `http/1.1` to the proxy.
    public var tls: TLSConfiguration?

    public init(_ kind: Kind, host: String, port: Int? = nil, credentials: Credentials? = nil, tls: TLSConfiguration? = nil) {
        self.kind = kind
        self.host = host
        self.port = port ?? kind.defaultPort
        self.credentials = credentials
        self.tls = tls
    }

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

    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(kind.rawValue)://\(hostPart):\(port)" + (credentials == nil ? "" : " (with credentials)")
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

extension Proxy.Credentials {
    /// `Basic base64(username:password)` (RFC 7617).
    var basicAuthorization: String {
        "Basic " + Self.base64(Array("\(username):\(password)".utf8))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                output.append(position <= count ? alphabet[Int(group >> (18 - 6 * position)) & 0x3F] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
