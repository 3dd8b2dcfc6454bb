/// `Interop/peers/h2_echo_server.py` on 127.0.0.1: HTTP/2 echo on hyper's h2, a third-party
/// implementation (not ours, not nghttp2). It answers every request at once with a 200
/// head, sends each DATA frame back as it arrives within the client's windows, and ends
/// with trailers `x-echo-bytes: N` plus the request's own trailers. Cleartext by prior
/// knowledge, or TLS with ALPN h2 using the test PKI's `good.pem` (names `localhost`).
/// Needs Debian's python3-h2 (scripts/install-deps.sh).
package final class H2EchoServer: Sendable {
    package let tls: Bool
    private let peer: PythonPeer

    package var port: Int { peer.port }

    package static func start(tls: Bool = false) async throws -> H2EchoServer {
        var arguments: [String] = []
        if tls {
            let pki = try TestPKI.shared()
            arguments = [pki.path("good.pem"), pki.path("good.key")]
        }
        return H2EchoServer(tls: tls, peer: try await PythonPeer.start("Interop/peers/h2_echo_server.py", arguments: arguments))
    }

    private init(tls: Bool, peer: PythonPeer) {
        self.tls = tls
        self.peer = peer
    }

    package func stop() { peer.stop() }
}
