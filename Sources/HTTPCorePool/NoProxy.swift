import HTTPCore

/// A `NO_PROXY` list, matched as curl matches it: entries separated by commas or spaces,
/// case-insensitive. `*` matches every host. A name matches itself and its subdomains
/// (`example.com` and `.example.com` both match `example.com` and `a.example.com`, never
/// `notexample.com`); an IP literal matches that address only (`::1` and `[::1]` alike);
/// a CIDR block (`10.0.0.0/8`, `::1/128`) matches the IP literals inside it, never names
/// (no lookup is made). `host:port` (or `[v6]:port`) restricts an entry to one port.
/// Malformed entries (a bad port or prefix length) are skipped.
///
/// `localhost` is not excluded unless listed: curl, httpx (which turns each entry into
/// an `all://` mount and adds none of its own) and Python's urllib all proxy it when a
/// proxy is set and NO_PROXY does not name it, so this does the same.
public struct NoProxy: Sendable, Equatable, CustomStringConvertible {
    enum Pattern: Sendable, Equatable {
        case all
        case name(String)
        case address([UInt8])
        case network([UInt8], prefixLength: Int)
    }

    struct Entry: Sendable, Equatable {
        var pattern: Pattern
        var port: Int?
    }

    private(set) var entries: [Entry]
    public let description: String

    /// Reads a list such as `localhost,.internal.example, 10.0.0.0/8 [::1]:8080`.
    public init(_ list: String) {
        description = list
        entries = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).compactMap { Self.entry(String($0).lowercased()) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether requests to `host` on `port` skip the proxy. `host` may be a name, an IP
    /// literal, or a bracketed IPv6 literal.
    public func matches(host: String, port: Int) -> Bool {
        guard !entries.isEmpty else { return false }
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        let address = IPAddressLiteral(host)?.bytes
        return entries.contains { entry in
            if let wanted = entry.port, wanted != port { return false }
            switch entry.pattern {
            case .all: return true
            case .name(let name): return address == nil && (host == name || host.hasSuffix("." + name))
            case .address(let bytes): return address == bytes
            case .network(let bytes, let prefixLength):
                guard let address, address.count == bytes.count else { return false }
                return Self.prefix(of: address, equals: bytes, bits: prefixLength)
            }
        }
    }

    private static func entry(_ text: String) -> Entry? {
        var hostPart = Substring(text)
        var port: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            let after = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Self.port(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = hostPart.firstIndex(of: ":"), hostPart.lastIndex(of: ":") == colon {
            // One colon: host:port. More than one: an IPv6 literal without a port.
            guard let parsed = Self.port(hostPart[hostPart.index(after: colon)...]) else { return nil }
            port = parsed
            hostPart = hostPart[..<colon]
        }
        if hostPart == "*" { return Entry(pattern: .all, port: port) }
        if let slash = hostPart.firstIndex(of: "/") {
            guard let bytes = IPAddressLiteral(String(hostPart[..<slash]))?.bytes,
                  let length = Int(hostPart[hostPart.index(after: slash)...]), (0...bytes.count * 8).contains(length)
            else { return nil }
            return Entry(pattern: .network(bytes, prefixLength: length), port: port)
        }
        if let bytes = IPAddressLiteral(String(hostPart))?.bytes { return Entry(pattern: .address(bytes), port: port) }
        // `*.example.com` and `.example.com` mean what `example.com` means.
        if hostPart.hasPrefix("*.") { hostPart = hostPart.dropFirst(2) }
        while hostPart.hasPrefix(".") { hostPart = hostPart.dropFirst() }
        if hostPart.hasSuffix(".") { hostPart = hostPart.dropLast() }
        guard !hostPart.isEmpty else { return nil }
        return Entry(pattern: .name(String(hostPart)), port: port)
    }

    private static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ ("0"..."9").contains($0) }), let port = Int(text), (1...65535).contains(port) else { return nil }
        return port
    }

    private static func prefix(of address: [UInt8], equals network: [UInt8], bits: Int) -> Bool {
        var remaining = bits
        for (a, b) in zip(address, network) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }
}
