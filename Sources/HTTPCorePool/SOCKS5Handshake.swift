import HTTPCore

/// The client side of SOCKS5 (RFC 1928) with username/password login (RFC 1929), as a
/// value fed the proxy's bytes.
///
///     greeting ──(method 0)──────────────────────────▶ connect ──(reply 0)──▶ done
///        │ └────(method 2)──▶ login ──(status 0)──────────▲
///        └──(X'FF')──▶ failed: authentication required
///
/// Each reply is consumed exactly, so bytes after the CONNECT reply go to the tunnel.
/// A refusal is recognised from the reply's first two bytes: proxies often close right
/// after a failure reply, and a truncated one still says why.
struct SOCKS5Handshake: ProxyHandshake {
    /// Where the proxy connects (RFC 1928 §5: ATYP 1, 3, 4).
    enum Address: Sendable, Hashable {
        case ipv4([UInt8])
        case ipv6([UInt8])
        /// A name the proxy resolves (socks5h).
        case domain(String)
    }

    enum State: Sendable, Hashable {
        case greeting
        case login
        case connect
        case done
        case failed
    }

    private let address: Address
    private let port: Int
    private let credentials: Proxy.Credentials?
    private(set) var state = State.greeting
    private var buffer: [UInt8] = []

    init(address: Address, port: Int, credentials: Proxy.Credentials?) {
        self.address = address
        self.port = port
        self.credentials = credentials
    }

    func start() -> ProxyHandshakeAction {
        if let credentials, credentials.username.utf8.count > 255 || credentials.password.utf8.count > 255 {
            return .failed(HTTPCoreError(.invalidRequest, "a SOCKS5 username and password have at most 255 bytes each", processing: .notProcessed))
        }
        if case .domain(let name) = address, name.utf8.isEmpty || name.utf8.count > 255 {
            return .failed(HTTPCoreError(.invalidRequest, "a SOCKS5 host name has 1 to 255 bytes", processing: .notProcessed))
        }
        // Version 5; methods: no authentication, plus username/password when we have them.
        return .write(credentials == nil ? [5, 1, 0] : [5, 2, 0, 2])
    }

    mutating func received(_ bytes: [UInt8]?) -> ProxyHandshakeAction {
        guard let bytes else { return fail(.proxyProtocolError, "the proxy closed the connection in the middle of the SOCKS5 handshake (\(buffer.count) bytes of a \(phase) reply)") }
        buffer += bytes
        let action = step()
        switch action {
        case .failed: state = .failed
        case .done: state = .done
        default: break
        }
        return action
    }

    private var phase: String {
        switch state {
        case .greeting: "method selection"
        case .login: "login"
        default: "CONNECT"
        }
    }

    private mutating func step() -> ProxyHandshakeAction {
        switch state {
        case .greeting:
            guard buffer.count >= 2 else { return .readMore }
            guard buffer[0] == 5 else { return notSOCKS5(buffer[0]) }
            let method = buffer[1]
            buffer.removeFirst(2)
            switch method {
            case 0:
                state = .connect
                return .write(connectRequest)
            case 2 where credentials != nil:
                state = .login
                return .write(loginRequest)
            case 0xFF:
                let detail = credentials == nil
                    ? "the SOCKS5 proxy requires authentication"
                    : "the SOCKS5 proxy accepts none of the offered authentication methods (none, username/password)"
                return fail(.proxyAuthenticationRequired, detail, .socks5NoAcceptableMethod)
            default:
                return fail(.proxyProtocolError, "the SOCKS5 proxy chose authentication method \(method), which was not offered")
            }
        case .login:
            guard buffer.count >= 2 else { return .readMore }
            // RFC 1929's sub-negotiation has its own version, 1.
            guard buffer[0] == 1 else {
                return fail(.proxyProtocolError, "the SOCKS5 proxy's login reply has version \(buffer[0]), not 1")
            }
            guard buffer[1] == 0 else {
                return fail(.proxyAuthenticationRequired, "the SOCKS5 proxy refused the username and password", .socks5LoginFailed(buffer[1]))
            }
            buffer.removeFirst(2)
            state = .connect
            return .write(connectRequest)
        case .connect:
            guard buffer.count >= 2 else { return .readMore }
            guard buffer[0] == 5 else { return notSOCKS5(buffer[0]) }
            guard buffer[1] == 0 else {
                let code = buffer[1]
                return fail(.proxyTunnelRefused, "the SOCKS5 proxy could not connect to \(target): \(ProxyRefusal.socks5Meaning(code)) (reply \(code))", .socks5Reply(code))
            }
            guard buffer.count >= 5 else { return .readMore }
            // VER REP RSV ATYP BND.ADDR BND.PORT
            let length: Int
            switch buffer[3] {
            case 1: length = 4 + 4 + 2
            case 4: length = 4 + 16 + 2
            case 3: length = 4 + 1 + Int(buffer[4]) + 2
            default: return fail(.proxyProtocolError, "the SOCKS5 proxy's reply has unknown address type \(buffer[3])")
            }
            guard buffer.count >= length else { return .readMore }
            return .done(leftover: Array(buffer[length...]))
        case .done, .failed:
            return fail(.proxyProtocolError, "the SOCKS5 handshake is over")
        }
    }

    private func notSOCKS5(_ version: UInt8) -> ProxyHandshakeAction {
        fail(.proxyProtocolError, "the proxy does not speak SOCKS5: its \(phase) reply has version \(version)")
    }

    private func fail(_ code: HTTPCoreError.Code, _ detail: String, _ refusal: ProxyRefusal? = nil) -> ProxyHandshakeAction {
        .failed(HTTPCoreError(code, detail, processing: .notProcessed, underlying: refusal))
    }

    private var target: String {
        switch address {
        case .domain(let name): "\(name):\(port)"
        case .ipv4(let bytes): bytes.map(String.init).joined(separator: ".") + ":\(port)"
        case .ipv6(let bytes):
            "[" + stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + "]:\(port)"
        }
    }

    /// RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD.
    private var loginRequest: [UInt8] {
        let username = Array(credentials?.username.utf8 ?? "".utf8)
        let password = Array(credentials?.password.utf8 ?? "".utf8)
        return [1, UInt8(username.count)] + username + [UInt8(password.count)] + password
    }

    /// VER 5, CMD 1 (CONNECT), RSV, ATYP, DST.ADDR, DST.PORT (network order).
    private var connectRequest: [UInt8] {
        var request: [UInt8] = [5, 1, 0]
        switch address {
        case .ipv4(let bytes): request += [1] + bytes
        case .ipv6(let bytes): request += [4] + bytes
        case .domain(let name): request += [3, UInt8(name.utf8.count)] + Array(name.utf8)
        }
        return request + [UInt8(port >> 8 & 0xFF), UInt8(port & 0xFF)]
    }
}

extension SOCKS5Handshake.Address {
    /// An IP literal goes to the proxy as an address whichever SOCKS5 flavour is in use:
    /// there is nothing to resolve.
    init(_ literal: IPAddressLiteral) {
        self = literal.isIPv6 ? .ipv6(literal.bytes) : .ipv4(literal.bytes)
    }
}
