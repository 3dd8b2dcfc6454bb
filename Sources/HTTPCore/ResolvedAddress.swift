/// One address a name resolved to, as an IP literal with the port asked for.
///
/// `NetworkBackend.resolve(host:port:)` returns these in the resolver's order and
/// `HappyEyeballs` races them, so a custom backend builds them too: hence public.
public struct ResolvedAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as text, without brackets (`127.0.0.1`, `::1`).
    public var ip: String
    public var port: Int
    public var isIPv6: Bool

    public init(ip: String, port: Int, isIPv6: Bool) {
        self.ip = ip
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// `host` itself when it is an IP literal (brackets allowed), else nil: the answer
    /// every backend gives without a lookup.
    package init?(literal host: String, port: Int) {
        guard let literal = IPAddressLiteral(host) else { return nil }
        self.init(ip: literal.text, port: port, isIPv6: literal.isIPv6)
    }

    /// A lookup's result as `resolve(host:port:)` reports it: a name with no address fails
    /// like a name that does not exist.
    package static func answer(_ lookup: Result<[ResolvedAddress], HTTPCoreError>, for host: String) -> Result<[ResolvedAddress], any Error> {
        lookup.flatMap { addresses in
            addresses.isEmpty ? .failure(HTTPCoreError(.hostNotFound, "\(host) has no IPv4 or IPv6 address", processing: .notProcessed)) : .success(addresses)
        }.mapError { $0 }
    }

    public var description: String { isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
}
