/// Where a connection goes: scheme, host and port. The pool keys connections by origin.
public struct Origin: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        // Lowercase only when needed: origins are made for every request.
        self.scheme = scheme.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? scheme.lowercased() : scheme
        self.host = host
        self.port = port
    }

    /// Reads `scheme://host[:port]` (a path or query after the authority is ignored).
    public init?(_ url: String) {
        guard let (scheme, afterScheme) = Origin.splitScheme(url) else { return nil }
        var rest = afterScheme
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        self.init(scheme: String(scheme), authority: String(rest))
    }

    /// Splits `scheme://rest` at the `://`.
    static func splitScheme(_ url: String) -> (scheme: Substring, rest: Substring)? {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        return (url[..<colon], url[url.index(colon, offsetBy: 3)...])
    }

    /// Reads an authority (`host`, `host:port`, `[v6]:port`), filling the scheme's default port.
    public init?(scheme: String, authority: String) {
        let scheme = scheme.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? scheme.lowercased() : scheme
        guard !authority.isEmpty, !authority.contains("@"), let defaultPort = Origin.defaultPort(for: scheme) else {
            return nil
        }
        var host = Substring(authority)
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Int(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let parsed = Int(host[host.index(after: colon)...]) else { return nil }
            port = parsed
            host = host[..<colon]
        }
        guard !host.isEmpty, (0...65535).contains(port) else { return nil }
        self.init(scheme: scheme, host: String(host), port: port)
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
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return port == Origin.defaultPort(for: scheme) ? hostPart : "\(hostPart):\(port)"
    }

    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(hostPart):\(port)"
    }
}
