import HTTPCore
import HTTPCoreHTTP1
@testable import HTTPCorePool
import Testing

/// `HTTPConnectHandshake` driven directly: the request it writes and every kind of answer.
@Suite struct HTTPConnectHandshakeTests {
    static let credentials = Proxy.Credentials(username: "user", password: "pass")

    @Test func writesConnectWithHostAndCredentials() {
        let plain = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil)
        #expect(Step(plain.start()) == .write(Array("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n".utf8)))
        let authenticated = HTTPConnectHandshake(host: "::1", port: 8443, credentials: Self.credentials)
        #expect(Step(authenticated.start()) == .write(Array("CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n".utf8)))
    }

    @Test func aTargetWithControlBytesIsRefused() {
        let handshake = HTTPConnectHandshake(host: "example.com\r\nX: y", port: 443, credentials: nil)
        #expect(Step(handshake.start()) == .failed(.invalidRequest, nil))
    }

    @Test(arguments: [false, true])
    func aSuccessKeepsTheBytesAfterTheHead(oneByteAtATime: Bool) {
        var handshake = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil)
        _ = handshake.start()
        let answer = Array("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n".utf8)
        if oneByteAtATime {
            #expect(handshake.feed(answer, oneByteAtATime: true) == .done(leftover: []))
        } else {
            // The origin spoke first (or the proxy pipelined): those bytes belong to the tunnel.
            #expect(handshake.feed(answer + [0x16, 0x03, 0x01]) == .done(leftover: [0x16, 0x03, 0x01]))
        }
    }

    @Test(arguments: [(407, true), (407, false), (401, true)])
    func authenticationAnswersAreTyped(status: Int, withCredentials: Bool) {
        var handshake = HTTPConnectHandshake(host: "example.com", port: 443, credentials: withCredentials ? Self.credentials : nil)
        _ = handshake.start()
        let answer = "HTTP/1.1 \(status) Nope\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 5\r\n\r\n"
        guard case .failed(let error) = handshake.received(Array(answer.utf8)) else {
            Issue.record("\(status) did not fail")
            return
        }
        #expect(error.code == .proxyAuthenticationRequired)
        #expect(error.category == .proxy)
        #expect(error.underlying as? ProxyRefusal == .httpStatus(status))
        #expect(error.detail.hasSuffix(withCredentials ? "it refused the credentials" : "it needs credentials"))
    }

    @Test(arguments: [403, 404, 500, 502, 503, 301])
    func otherStatusesRefuseTheTunnel(status: Int) {
        var handshake = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil)
        _ = handshake.start()
        let step = handshake.feed(Array("HTTP/1.1 \(status) Whatever\r\nConnection: close\r\n\r\n".utf8))
        #expect(step == .failed(.proxyTunnelRefused, .httpStatus(status)))
    }

    @Test(arguments: [
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "\u{05}\u{00}",
        "HTTP/1.1 200\r\nBad Field\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
    ])
    func garbageIsAProtocolError(answer: String) {
        var handshake = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil)
        _ = handshake.start()
        var step = handshake.feed(Array(answer.utf8))
        if step == .readMore { step = Step(handshake.received(nil)) }
        #expect(step == .failed(.proxyProtocolError, nil))
    }

    @Test func aCloseBeforeOrInsideTheAnswerIsAProtocolError() {
        var silent = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil)
        _ = silent.start()
        guard case .failed(let error) = silent.received(nil) else {
            Issue.record("EOF did not fail")
            return
        }
        #expect(error.code == .proxyProtocolError)
        #expect(error.detail == "the proxy closed the connection without answering CONNECT example.com:443")
        var truncated = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil)
        _ = truncated.start()
        #expect(truncated.feed(Array("HTTP/1.1 200 Connection est".utf8)) == .readMore)
        #expect(Step(truncated.received(nil)) == .failed(.proxyProtocolError, nil))
    }

    @Test func anEndlessHeadStopsAtTheParserLimit() {
        var handshake = HTTPConnectHandshake(host: "example.com", port: 443, credentials: nil, limits: HTTP1Limits(maxStartLineLength: 64))
        _ = handshake.start()
        #expect(handshake.feed(Array(repeating: UInt8(ascii: "A"), count: 100)) == .failed(.proxyProtocolError, nil))
    }
}
