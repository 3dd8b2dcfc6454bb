import HTTPCore
@testable import HTTPCorePool
import Testing

/// What a handshake step did, comparable in `#expect`.
enum Step: Equatable, CustomStringConvertible {
    case write([UInt8])
    case readMore
    case done(leftover: [UInt8])
    case failed(HTTPCoreError.Code, ProxyRefusal?)

    init(_ action: ProxyHandshakeAction) {
        switch action {
        case .write(let bytes): self = .write(bytes)
        case .readMore: self = .readMore
        case .done(let leftover): self = .done(leftover: leftover)
        case .failed(let error): self = .failed(error.code, error.underlying as? ProxyRefusal)
        }
    }

    var description: String {
        switch self {
        case .write(let bytes): "write(\(bytes))"
        case .readMore: "readMore"
        case .done(let leftover): "done(\(leftover))"
        case .failed(let code, let refusal): "failed(\(code), \(refusal.map(String.init(describing:)) ?? "-"))"
        }
    }
}

extension ProxyHandshake {
    /// Feeds `bytes` whole, or one byte at a time; the last step is what counts (the
    /// others must all be `.readMore`).
    mutating func feed(_ bytes: [UInt8], oneByteAtATime: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) -> Step {
        guard oneByteAtATime, bytes.count > 1 else { return Step(received(bytes)) }
        for byte in bytes.dropLast() {
            let step = Step(received([byte]))
            if step != .readMore { return step }
        }
        return Step(received([bytes.last!]))
    }
}

/// `SOCKS5Handshake` driven directly, one event per line, without sockets.
@Suite struct SOCKS5HandshakeTests {
    static let credentials = Proxy.Credentials(username: "user", password: "pass")
    /// CONNECT to 127.0.0.1:8080.
    static let connectV4: [UInt8] = [5, 1, 0, 1, 127, 0, 0, 1, 0x1F, 0x90]
    static let successV4: [UInt8] = [5, 0, 0, 1, 10, 0, 0, 1, 0x12, 0x34]

    @Test(arguments: [false, true])
    func noAuthenticationToAnIPv4Address(oneByteAtATime: Bool) {
        var handshake = SOCKS5Handshake(address: .ipv4([127, 0, 0, 1]), port: 8080, credentials: nil)
        #expect(Step(handshake.start()) == .write([5, 1, 0]))
        #expect(handshake.feed([5, 0], oneByteAtATime: oneByteAtATime) == .write(Self.connectV4))
        #expect(handshake.feed(Self.successV4, oneByteAtATime: oneByteAtATime) == .done(leftover: []))
        #expect(handshake.state == .done)
    }

    @Test(arguments: [false, true])
    func usernameAndPasswordThenADomainName(oneByteAtATime: Bool) {
        var handshake = SOCKS5Handshake(address: .domain("localhost"), port: 443, credentials: Self.credentials)
        #expect(Step(handshake.start()) == .write([5, 2, 0, 2]))
        #expect(handshake.feed([5, 2], oneByteAtATime: oneByteAtATime) == .write([1, 4] + Array("user".utf8) + [4] + Array("pass".utf8)))
        #expect(handshake.feed([1, 0], oneByteAtATime: oneByteAtATime) == .write([5, 1, 0, 3, 9] + Array("localhost".utf8) + [1, 0xBB]))
        // A reply bound to a domain name, followed by the first bytes of the tunnel.
        let reply: [UInt8] = [5, 0, 0, 3, 4] + Array("host".utf8) + [0, 80]
        #expect(handshake.feed(reply + Array("HTTP".utf8), oneByteAtATime: false) == .done(leftover: Array("HTTP".utf8)))
    }

    @Test func withCredentialsTheProxyMayStillChooseNoAuthentication() {
        var handshake = SOCKS5Handshake(address: .ipv4([127, 0, 0, 1]), port: 8080, credentials: Self.credentials)
        _ = handshake.start()
        #expect(handshake.feed([5, 0]) == .write(Self.connectV4))
    }

    @Test(arguments: [false, true])
    func anIPv6AddressAndReplyKeepTheBytesAfterIt(oneByteAtATime: Bool) {
        let loopback = Array(repeating: UInt8(0), count: 15) + [1]
        var handshake = SOCKS5Handshake(address: .ipv6(loopback), port: 80, credentials: nil)
        _ = handshake.start()
        #expect(handshake.feed([5, 0]) == .write([5, 1, 0, 4] + loopback + [0, 80]))
        let reply: [UInt8] = [5, 0, 0, 4] + loopback + [0x30, 0x39]
        if oneByteAtATime {
            #expect(handshake.feed(reply, oneByteAtATime: true) == .done(leftover: []))
        } else {
            #expect(handshake.feed(reply + [0xAA, 0xBB]) == .done(leftover: [0xAA, 0xBB]))
        }
    }

    @Test func aRejectedLoginIsAuthenticationRequired() {
        var handshake = SOCKS5Handshake(address: .domain("example.com"), port: 80, credentials: Self.credentials)
        _ = handshake.start()
        _ = handshake.feed([5, 2])
        #expect(handshake.feed([1, 1]) == .failed(.proxyAuthenticationRequired, .socks5LoginFailed(1)))
        #expect(handshake.state == .failed)
    }

    @Test(arguments: [nil, credentials])
    func noAcceptableMethodIsAuthenticationRequired(credentials: Proxy.Credentials?) {
        var handshake = SOCKS5Handshake(address: .domain("example.com"), port: 80, credentials: credentials)
        _ = handshake.start()
        #expect(handshake.feed([5, 0xFF]) == .failed(.proxyAuthenticationRequired, .socks5NoAcceptableMethod))
    }

    @Test(arguments: UInt8(1)...UInt8(9))
    func everyReplyCodeRefusesTheTunnelAndSaysWhy(code: UInt8) throws {
        var handshake = SOCKS5Handshake(address: .domain("example.com"), port: 443, credentials: nil)
        _ = handshake.start()
        _ = handshake.feed([5, 0])
        // Two bytes are enough: a proxy may close right after a short failure reply.
        guard case .failed(let error) = handshake.received([5, code]) else {
            Issue.record("reply \(code) did not fail")
            return
        }
        #expect(error.code == .proxyTunnelRefused)
        #expect(error.category == .proxy)
        #expect(error.isSafeToRetry)
        #expect(error.underlying as? ProxyRefusal == .socks5Reply(code))
        let meanings = [
            1: "general SOCKS server failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
            4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
            8: "address type not supported", 9: "unassigned reply code",
        ]
        #expect(error.detail == "the SOCKS5 proxy could not connect to example.com:443: \(meanings[Int(code)]!) (reply \(code))")
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var credentials: Proxy.Credentials?
        /// Replies before the broken one, each answered with a write.
        var before: [[UInt8]]
        var reply: [UInt8]
        var eof = false
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(name: "EOF before any reply", before: [], reply: [], eof: true),
        Broken(name: "EOF after one byte of the method reply", before: [], reply: [5], eof: true),
        Broken(name: "an HTTP answer instead of SOCKS5", before: [], reply: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)),
        Broken(name: "SOCKS4 version in the method reply", before: [], reply: [4, 0]),
        Broken(name: "a method that was not offered", before: [], reply: [5, 2]),
        Broken(name: "an unknown method", before: [], reply: [5, 0x80]),
        Broken(name: "login reply with version 5", credentials: credentials, before: [[5, 2]], reply: [5, 0]),
        Broken(name: "EOF in the login reply", credentials: credentials, before: [[5, 2]], reply: [1], eof: true),
        Broken(name: "wrong version in the CONNECT reply", before: [[5, 0]], reply: [4, 0, 0, 1]),
        Broken(name: "unknown address type", before: [[5, 0]], reply: [5, 0, 0, 2, 0]),
        Broken(name: "EOF in the middle of the bound address", before: [[5, 0]], reply: [5, 0, 0, 1, 127, 0], eof: true),
        Broken(name: "EOF in the middle of a bound domain", before: [[5, 0]], reply: [5, 0, 0, 3, 9, 108, 111], eof: true),
        Broken(name: "EOF after the reply code", before: [[5, 0]], reply: [5, 0], eof: true),
    ]

    @Test(arguments: broken)
    func truncatedAndGarbageRepliesAreProtocolErrors(_ broken: Broken) {
        var handshake = SOCKS5Handshake(address: .domain("example.com"), port: 80, credentials: broken.credentials)
        _ = handshake.start()
        for reply in broken.before {
            guard case .write = Step(handshake.received(reply)) else {
                Issue.record("\(reply) was not answered")
                return
            }
        }
        var step = broken.reply.isEmpty ? Step.readMore : handshake.feed(broken.reply)
        if broken.eof {
            #expect(step == .readMore)
            step = Step(handshake.received(nil))
        }
        #expect(step == .failed(.proxyProtocolError, nil))
    }

    @Test func tooLongNamesAreRefusedBeforeAnyByte() {
        let long = String(repeating: "a", count: 256)
        var handshake = SOCKS5Handshake(address: .domain(long), port: 80, credentials: nil)
        #expect(Step(handshake.start()) == .failed(.invalidRequest, nil))
        handshake = SOCKS5Handshake(address: .ipv4([1, 2, 3, 4]), port: 80, credentials: .init(username: long, password: "p"))
        #expect(Step(handshake.start()) == .failed(.invalidRequest, nil))
        handshake = SOCKS5Handshake(address: .ipv4([1, 2, 3, 4]), port: 80, credentials: .init(username: "u", password: long))
        #expect(Step(handshake.start()) == .failed(.invalidRequest, nil))
        handshake = SOCKS5Handshake(address: .domain(""), port: 80, credentials: nil)
        #expect(Step(handshake.start()) == .failed(.invalidRequest, nil))
    }
}
