/// Where a connection goes: scheme, host and port. The pool keys connections by origin.
public struct Origin: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = Origin.lowercasedIfNeeded(scheme)
        self.host = host
        self.port = port
    }

    /// Reads `scheme://host[:port]` (a path or query after the authority is ignored).
    public init?(_ url: String) {
        guard let (scheme, afterScheme) = Origin.splitScheme(url) else { return nil }
        let end = afterScheme.utf8.firstIndex(where: Origin.endsAuthority) ?? afterScheme.endIndex
        self.init(scheme: String(scheme), authority: afterScheme[..<end])
    }

    /// Splits `scheme://rest` at the `://`.
    static func splitScheme(_ url: String) -> (scheme: Substring, rest: Substring)? {
        let utf8 = url.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")),
              utf8[colon...].starts(with: "://".utf8) else { return nil }
        return (url[..<colon], url[utf8.index(colon, offsetBy: 3)...])
    }

    /// Whether a byte ends the authority of a URL: `/`, `?` or `#`.
    static func endsAuthority(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }

    /// Reads an authority (`host`, `host:port`, `[v6]:port`), filling the scheme's default port.
    public init?(scheme: String, authority: String) {
        self.init(scheme: scheme, authority: Substring(authority))
    }

    /// Origins are made for every request: this reads bytes, not Characters.
    init?(scheme: String, authority: Substring) {
        let scheme = Origin.lowercasedIfNeeded(scheme)
        guard let defaultPort = Origin.defaultPort(for: scheme) else { return nil }
        let bytes = authority.utf8
        guard !bytes.isEmpty, !bytes.contains(UInt8(ascii: "@")) else { return nil }
        var host = authority
        var port = defaultPort
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let after = bytes[bytes.index(after: close)...]
            host = authority[bytes.index(after: bytes.startIndex)..<close]
            // Brackets hold an IPv6 literal and nothing else: `[[fe80the0]` became a host
            // that `description` printed as another name (found by fuzzing).
            guard let literal = IPAddressLiteral(String(host)), literal.isIPv6 else { return nil }
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":"), let parsed = Origin.port(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            guard let parsed = Origin.port(bytes[bytes.index(after: colon)...]) else { return nil }
            port = parsed
            host = authority[..<colon]
            // A colon left in the host is an IPv6 literal without its brackets (or no host
            // at all, `a:b:80`): `authority` would bracket it into another name.
            guard !host.utf8.contains(UInt8(ascii: ":")) else { return nil }
        }
        guard !host.isEmpty else { return nil }
        self.init(scheme: scheme, host: String(host), port: port)
    }

    /// 1 to 5 decimal digits up to 65535.
    private static func port(_ digits: Substring.UTF8View) -> Int? {
        guard (1...5).contains(digits.count) else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value <= 65535 ? value : nil
    }

    private static func lowercasedIfNeeded(_ scheme: String) -> String {
        scheme.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? scheme.lowercased() : scheme
    }

    public static func defaultPort(for scheme: String) -> Int? {
        switch scheme {
        case "http", "ws": 80
        case "https", "wss": 443
        default: nil
        }
    }

    public var isSecure: Bool { scheme == "https" || scheme == "wss" }

    /// The host as it goes into a Host header or `:authority`: IPv6 literals in brackets,
    /// the port only when it is not the scheme's default.
    public var authority: String {
        let hostPart = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        return port == Origin.defaultPort(for: scheme) ? hostPart : "\(hostPart):\(port)"
    }

    public var description: String {
        let hostPart = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)"
    }
}
