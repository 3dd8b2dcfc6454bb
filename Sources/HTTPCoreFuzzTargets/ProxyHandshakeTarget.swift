import HTTPCore
@testable import HTTPCorePool

/// The SOCKS5 and HTTP CONNECT handshakes fed arbitrary proxy replies, driven as
/// `ProxyHandshake.run(over:)` drives them (write, then read the next piece) but with no
/// stream: each ends in an open tunnel or a proxy-category error once the proxy closes,
/// never asks to read forever, and hands the tunnel exactly the bytes after the reply
/// (the leftover plus what follows is a suffix of what the proxy sent). CONNECT reads a
/// whole reply with the response parser, so its outcome must not depend on the split.
///
/// Input: byte 0 seeds the split; byte 1 picks the handshake (bits 0-1: CONNECT, SOCKS5
/// to a name, to IPv4, to IPv6; bit 2: with credentials); the rest is the proxy's bytes.
enum ProxyHandshakeTarget {
    enum Outcome: Equatable {
        /// The tunnel's bytes: the leftover, then every piece after it.
        case tunnel([UInt8])
        case failed(HTTPCoreError.Code)
    }

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let choice = input.byte()
        let payload = input.rest()
        let credentials = choice & 4 == 0 ? nil : Proxy.Credentials(username: "user", password: "secret")
        func handshake() -> any ProxyHandshake {
            switch choice & 3 {
            case 0: HTTPConnectHandshake(host: "example.com", port: 443, credentials: credentials)
            case 1: SOCKS5Handshake(address: .domain("example.com"), port: 443, credentials: credentials)
            case 2: SOCKS5Handshake(address: .ipv4([127, 0, 0, 1]), port: 80, credentials: credentials)
            default: SOCKS5Handshake(address: .ipv6(Array(repeating: 0, count: 15) + [1]), port: 8443, credentials: credentials)
            }
        }
        let whole = drive(handshake(), [payload])
        let split = drive(handshake(), FuzzInput.pieces(payload, seed: seed))
        for outcome in [whole, split] {
            if case .tunnel(let bytes) = outcome {
                FuzzCheck.that(payload.count >= bytes.count && Array(payload.suffix(bytes.count)) == bytes, "tunnel bytes are not the end of the proxy's bytes")
            }
        }
        if choice & 3 == 0 { FuzzCheck.equal(whole, split, "CONNECT: whole and split replies disagree") }
    }

    static func drive(_ handshake: any ProxyHandshake, _ pieces: [[UInt8]]) -> Outcome {
        var handshake = handshake
        var remaining = pieces[...]
        var action = handshake.start()
        // Each step takes one piece or the close: more steps than that is a loop.
        for _ in 0...(pieces.count + 1) {
            switch action {
            case .write, .readMore:
                action = handshake.received(remaining.popFirst())
            case .done(let leftover):
                return .tunnel(leftover + remaining.joined())
            case .failed(let error):
                FuzzCheck.that(error.category == .proxy, "handshake failed outside the proxy category: \(error)")
                return .failed(error.code)
            }
        }
        preconditionFailure("the handshake neither finished nor failed after the proxy closed: \(action)")
    }
}
