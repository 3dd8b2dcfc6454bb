import HTTPCore

/// What of a request URL the cookie rules read (RFC 6265 §5.1.2-5.1.4): the canonical
/// host, the path without its query, and whether the scheme is secure.
struct CookieURL: Sendable, Hashable {
    /// Lowercased, without a trailing dot; an IPv6 literal without brackets.
    var host: String
    var path: String
    var isSecure: Bool

    init(host: String, path: String, isSecure: Bool) {
        var host = host.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? host.lowercased() : host
        if host.utf8.count > 1, host.utf8.last == UInt8(ascii: ".") { host.removeLast() }
        self.host = host
        self.path = path
        self.isSecure = isSecure
    }

    init?(_ url: ClientURL) {
        guard let origin = url.origin else { return nil }
        self.init(host: origin.host, path: url.path, isSecure: origin.isSecure)
    }

    init?(_ text: String) {
        guard let url = ClientURL(absolute: text) else { return nil }
        self.init(url)
    }

    /// An IP literal takes host-only cookies only: `Domain` names a family of hosts, which
    /// an address has not. IPv6 has a colon; IPv4 (in any of the forms a URL parser reads as
    /// a number) ends in a numeric label.
    var isIPAddress: Bool {
        if host.utf8.contains(UInt8(ascii: ":")) { return true }
        let lastLabel = host.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).last ?? []
        return !lastLabel.isEmpty && lastLabel.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            || lastLabel.starts(with: "0x".utf8)
    }

    /// §5.1.3: the host is `domain` or ends in `.domain`, and is not an IP address.
    func domainMatches(_ domain: String) -> Bool {
        if host == domain { return true }
        guard !isIPAddress, host.utf8.count > domain.utf8.count, host.utf8.reversed().starts(with: domain.utf8.reversed()) else { return false }
        return host.utf8.dropLast(domain.utf8.count).last == UInt8(ascii: ".")
    }

    /// §5.1.4: the request path up to, not including, its last `/`; `/` when that leaves
    /// nothing.
    var defaultPath: String {
        guard path.utf8.first == UInt8(ascii: "/"), let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")),
              slash != path.utf8.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// §5.1.4: the paths are equal, or `cookiePath` is a prefix of the request path that
    /// ends in `/` or is followed by one.
    func pathMatches(_ cookiePath: String) -> Bool {
        guard path.utf8.starts(with: cookiePath.utf8) else { return false }
        if path.utf8.count == cookiePath.utf8.count || cookiePath.utf8.last == UInt8(ascii: "/") { return true }
        return path.utf8.dropFirst(cookiePath.utf8.count).first == UInt8(ascii: "/")
    }

    /// The domains a cookie sent to this host may carry: the host and each parent, longest
    /// first (`a.b.example.com`, `b.example.com`, `example.com`, `com`); an IP only itself.
    var candidateDomains: [String] {
        guard !isIPAddress else { return [host] }
        var domains = [host]
        var rest = Substring(host)
        while let dot = rest.utf8.firstIndex(of: UInt8(ascii: ".")) {
            rest = rest[rest.utf8.index(after: dot)...]
            if !rest.isEmpty { domains.append(String(rest)) }
        }
        return domains
    }
}
