/// What a proxy answered when it refused: the `underlying` of `.proxyAuthenticationRequired`
/// and `.proxyTunnelRefused`, for callers that branch on more than the code.
public enum ProxyRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// An HTTP proxy's status: its answer to CONNECT, or 407 to a forwarded request.
    case httpStatus(Int)
    /// A SOCKS5 reply code other than 0, "succeeded" (RFC 1928 §6).
    case socks5Reply(UInt8)
    /// SOCKS5: the proxy accepted none of the authentication methods offered (X'FF').
    case socks5NoAcceptableMethod
    /// SOCKS5: the username/password login (RFC 1929) failed with this status.
    case socks5LoginFailed(UInt8)

    public var description: String {
        switch self {
        case .httpStatus(let status): "HTTP status \(status)"
        case .socks5Reply(let code): "SOCKS5 reply \(code): \(Self.socks5Meaning(code))"
        case .socks5NoAcceptableMethod: "SOCKS5: no acceptable authentication method"
        case .socks5LoginFailed(let status): "SOCKS5: username/password login failed (status \(status))"
        }
    }

    /// RFC 1928 §6's words for each reply code.
    static func socks5Meaning(_ code: UInt8) -> String {
        switch code {
        case 1: "general SOCKS server failure"
        case 2: "connection not allowed by ruleset"
        case 3: "network unreachable"
        case 4: "host unreachable"
        case 5: "connection refused"
        case 6: "TTL expired"
        case 7: "command not supported"
        case 8: "address type not supported"
        default: "unassigned reply code"
        }
    }
}
