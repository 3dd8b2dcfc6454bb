import HTTPCore
import HTTPCoreHTTP1
import HTTPTypes

/// Opens a tunnel through an HTTP proxy (RFC 9110 §9.3.6): `CONNECT host:port`, with
/// `Proxy-Authorization` when there are credentials, then the reply head through the
/// HTTP/1.1 response parser. A 2xx opens the tunnel, and whatever the parser holds past
/// the head is handed on as the tunnel's first bytes; 407 (or 401, which tinyproxy 1.11
/// sends for wrong credentials, and which to CONNECT can only be the proxy's) needs
/// credentials; any other status refuses the tunnel.
struct HTTPConnectHandshake: ProxyHandshake {
    private let target: String
    private let credentials: Proxy.Credentials?
    private var parser: HTTP1ResponseParser

    /// `host` and `port` of the origin the tunnel leads to.
    init(host: String, port: Int, credentials: Proxy.Credentials?, limits: HTTP1Limits = HTTP1Limits()) {
        target = (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        self.credentials = credentials
        parser = HTTP1ResponseParser(limits: limits)
        parser.startResponse(to: .connect)
    }

    func start() -> ProxyHandshakeAction {
        // The target comes from an `Origin`, which any string can make: refuse what would
        // split the request line, as the HTTP/1.1 encoder does.
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failed(HTTPCoreError(.invalidRequest, "CONNECT target \(target.debugDescription) has a space or control byte", processing: .notProcessed))
        }
        var head = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
        if let credentials { head += "Proxy-Authorization: \(credentials.basicAuthorization)\r\n" }
        return .write(Array((head + "\r\n").utf8))
    }

    mutating func received(_ bytes: [UInt8]?) -> ProxyHandshakeAction {
        if let bytes { parser.feed(bytes) } else { parser.feedEOF() }
        do {
            while let event = try parser.next() {
                guard case .head(let response, _) = event else { continue }
                let status = response.status
                let answer = "the proxy answered CONNECT \(target) with \(status.code) \(status.reasonPhrase)"
                switch status.code {
                case 200..<300:
                    return .done(leftover: parser.takeBufferedBytes())
                case 407, 401:
                    let detail = credentials == nil ? "\(answer): it needs credentials" : "\(answer): it refused the credentials"
                    return .failed(HTTPCoreError(.proxyAuthenticationRequired, detail, processing: .notProcessed, underlying: ProxyRefusal.httpStatus(status.code)))
                default:
                    return .failed(HTTPCoreError(.proxyTunnelRefused, answer, processing: .notProcessed, underlying: ProxyRefusal.httpStatus(status.code)))
                }
            }
            return .readMore
        } catch {
            let detail = error == .closedBeforeResponse
                ? "the proxy closed the connection without answering CONNECT \(target)"
                : "the proxy's answer to CONNECT \(target) is not a valid HTTP/1.1 response head: \(error)"
            return .failed(HTTPCoreError(.proxyProtocolError, detail, processing: .notProcessed, underlying: error))
        }
    }
}
