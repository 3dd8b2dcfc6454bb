import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreTLS

/// HTTPS on the same backend: the demo server behind a server-side `TLSStream`, our
/// client behind a client-side one, with a throwaway PKI that `scripts/demo.sh` makes
/// (`HTTPCORE_DEMO_PKI`, from scripts/make-test-pki.sh). Then a certificate for the wrong
/// host, refused with a typed error.
func runTLSDemo(on backend: any NetworkBackend, pki: String) async throws {
    let server = try TLSContext(.server(
        certificateChain: .file("\(pki)/good.pem"), privateKey: .file("\(pki)/good.key"),
        applicationProtocols: ["http/1.1"]
    ))
    let wrongHost = try TLSContext(.server(certificateChain: .file("\(pki)/wronghost.pem"), privateKey: .file("\(pki)/wronghost.key")))
    let client = try TLSContext(.client(trustRoots: [.file("\(pki)/ca.pem")], applicationProtocols: ["h2", "http/1.1"]))

    let listener = try await backend.listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
    guard case .inet(_, let port) = listener.localAddress else { fatalError("listener has no port") }
    let serving = Task {
        var accepted = 0
        while let stream = try await listener.accept() {
            accepted += 1
            let context = accepted == 1 ? server : wrongHost
            Task(executorPreference: stream.preferredTaskExecutor) {
                guard let tls = try? await TLSStream.accept(over: stream, context: context, clock: backend.clock) else { return }
                try? await DemoServer.handle(tls)
            }
        }
    }

    let tcp = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
    let tls = try await TLSStream.connect(over: tcp, host: "localhost", port: port, context: client, clock: backend.clock)
    print("TLS:", tls.info.tlsVersion ?? "?", tls.info.tlsCipher ?? "?", "ALPN:", tls.info.alpn ?? "none", "server certificate:", tls.info.peerCertificate?.subject ?? "?")
    let origin = Origin(scheme: "https", host: "localhost", port: port)
    let connection = HTTP1Connection(stream: tls, origin: origin, clock: backend.clock)
    let get = try await connection.send(try Request(url: "https://localhost:\(port)/hello"))
    print("GET https://localhost:\(port)/hello ->", get.status, try await get.body.collect(upTo: 1 << 20).text, terminator: "")
    await connection.close()

    // The second connection meets a certificate issued for wrong.test.
    let second = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
    do {
        _ = try await TLSStream.connect(over: second, host: "localhost", port: port, context: client, clock: backend.clock)
    } catch {
        let failure = error.underlying as? TLSFailure
        print("certificate for another host ->", error.category, error.code, "(\(failure?.verification?.message ?? "?"))")
    }
    await listener.close()
    serving.cancel()
}
