import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreTestSupport
import HTTPCoreTLS
import HTTPTypes
import Testing

/// `TLSStream` over libuv and Dispatch sockets against `openssl s_server` and nginx on
/// 127.0.0.1.
@Suite struct TLSOverRealBackendsTests {
    /// Connects over `kind` to `port` and runs the client handshake.
    static func connect(
        _ fixture: BackendFixture, port: Int, host: String = "localhost", context: TLSContext
    ) async -> Result<TLSStream, HTTPCoreError> {
        await Result { () async throws(HTTPCoreError) -> TLSStream in
            let tcp: any NetworkStream
            do { tcp = try await fixture.connect(port: port) } catch { throw HTTPCoreError.from(error, default: .connectFailed) }
            return try await TLSStream.connect(over: tcp, host: host, port: port, context: context, clock: fixture.clock)
        }
    }

    static func serverArguments(_ testCase: VerificationCase) throws -> [String] {
        let pki = try TestPKI.shared()
        // s_server sends only the first certificate of a file: give the chain apart.
        if testCase.certificate == "chain-leaf-bundle.pem" {
            return ["-cert", pki.path("chain-leaf.pem"), "-key", pki.path("chain-leaf.key"), "-cert_chain", pki.path("intermediate.pem")]
        }
        return ["-cert", pki.path(testCase.certificate), "-key", pki.path(testCase.key)]
    }

    @Test(arguments: BackendKind.real)
    func verificationAgainstOpenSSLServer(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let client = try TLSFixtures.client()
        for testCase in VerificationCase.all {
            try await withOpenSSLServer(arguments: try Self.serverArguments(testCase) + ["-www"]) { server in
                let outcome = await Self.connect(fixture, port: server.port, host: testCase.host, context: client)
                expectVerdict(outcome, testCase)
                if case .success(let stream) = outcome { await stream.close(.graceful) }
            }
        }
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func alpnAndAPageFromOpenSSLServer(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let pki = try TestPKI.shared()
        let client = try TLSFixtures.client(alpn: ["h2", "http/1.1"])
        for (offered, expected) in [("h2,http/1.1", "h2"), ("http/1.1", "http/1.1")] {
            try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-alpn", offered, "-www"]) { server in
                let stream = try await Self.connect(fixture, port: server.port, context: client).get()
                #expect(stream.info.alpn == expected)
                #expect(stream.info.tlsVersion == "TLSv1.3")
                #expect(stream.info.remoteAddress == .inet(host: "127.0.0.1", port: server.port))
                try await stream.write(Array("GET / HTTP/1.0\r\n\r\n".utf8))
                // s_server -www ends the page with close_notify: a clean EOF.
                let page = String(decoding: try await readAll(stream), as: UTF8.self)
                #expect(page.hasPrefix("HTTP/1.0 200 ok"))
                #expect(page.contains("TLSv1.3"))
                await stream.close(.graceful)
            }
        }
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func aTLS11OnlyServerIsRefused(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let pki = try TestPKI.shared()
        let legacy = ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]
        try await withOpenSSLServer(arguments: legacy) { server in
            // Control: the server really speaks TLS 1.1 to a client willing to.
            let control = try OpenSSLServer.runClient(arguments: ["-connect", server.address, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
            #expect(control.status == 0 && control.output.contains("TLSv1.1"), "\(control.output)")

            let outcome = await Self.connect(fixture, port: server.port, context: try TLSFixtures.client())
            #expect(outcome.error?.code == .tlsHandshakeFailed)
            #expect(outcome.error?.tlsFailure?.reason.contains("protocol") == true, "\(String(describing: outcome.error))")
        }
        await fixture.shutdown()
    }

    /// s_server presents good.pem only to a ClientHello naming good.test, and wronghost.pem
    /// otherwise: verification passes only if our SNI reached it.
    @Test(arguments: BackendKind.real)
    func serverNameIndicationPicksTheCertificate(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let pki = try TestPKI.shared()
        let arguments = [
            "-cert", pki.path("wronghost.pem"), "-key", pki.path("wronghost.key"),
            "-servername", "good.test", "-cert2", pki.path("good.pem"), "-key2", pki.path("good.key"), "-www",
        ]
        try await withOpenSSLServer(arguments: arguments) { server in
            let named = await Self.connect(fixture, port: server.port, host: "good.test", context: try TLSFixtures.client())
            #expect(try named.get().info.peerCertificate?.subject.contains("good") == true)
            if case .success(let stream) = named { await stream.close(.graceful) }

            let noSNI = try TLSFixtures.client { $0.serverNameIndication = .disabled }
            let unnamed = await Self.connect(fixture, port: server.port, host: "good.test", context: noSNI)
            #expect(unnamed.error?.tlsFailure?.verification == .hostnameMismatch)

            // Asking for wrong.test by SNI while verifying good.test gets wronghost.pem.
            let misnamed = try TLSFixtures.client { $0.serverNameIndication = .name("wrong.test") }
            #expect(await Self.connect(fixture, port: server.port, host: "good.test", context: misnamed).error?.tlsFailure?.verification == .hostnameMismatch)
        }
        await fixture.shutdown()
    }

    /// s_server's `r` command asks a TLS 1.2 client to renegotiate (HelloRequest). We
    /// refuse with a no_renegotiation alert, which the server logs; it may then end the
    /// connection with a handshake_failure alert, which our read reports as a TLS error.
    @Test(arguments: BackendKind.real)
    func renegotiationIsRefused(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let pki = try TestPKI.shared()
        try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-tls1_2"]) { server in
            let stream = try await Self.connect(fixture, port: server.port, context: try TLSFixtures.client()).get()
            #expect(stream.info.tlsVersion == "TLSv1.2")
            try await stream.write(Array("hello\n".utf8))
            try await server.waitForOutput(containing: "hello")
            try server.type("r\n")
            do {
                let bytes = try await stream.read(maxBytes: 100, deadline: fixture.clock.now + .seconds(2))
                Issue.record("expected no data, got \(String(describing: bytes))")
            } catch let error as HTTPCoreError {
                #expect(error.code == .readTimeout || error.code == .tlsProtocolError, "\(error)")
            }
            for _ in 0..<500 where !server.errors.contains("no renegotiation") { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.errors.contains("no renegotiation"), "\(server.errors)")
            await stream.close(.abortive)
        }
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func http1ConnectionOverTLSAgainstNginx(kind: BackendKind) async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let fixture = kind.makeFixture()
        let port = try #require(nginx.tlsPort)

        // nginx offers h2 and http/1.1 and picks h2 when asked for both.
        let both = try await Self.connect(fixture, port: port, context: try TLSFixtures.client(alpn: ["h2", "http/1.1"])).get()
        #expect(both.info.alpn == "h2")
        await both.close(.graceful)

        let stream = try await Self.connect(fixture, port: port, context: try TLSFixtures.client(alpn: ["http/1.1"])).get()
        #expect(stream.info.alpn == "http/1.1")
        let origin = Origin(scheme: "https", host: "localhost", port: port)
        let connection = HTTP1Connection(stream: stream, origin: origin, clock: fixture.clock)
        let page = try await connection.send(try Request(url: "https://localhost:\(port)/"))
        #expect(page.status == .ok)
        #expect(try await page.body.collect(upTo: 1024) == Array("hello from nginx\n".utf8))

        let download = try await connection.send(try Request(url: "https://localhost:\(port)/file.bin"))
        var received = Checksum()
        for try await chunk in download.body { received.add(chunk) }
        var expected = Checksum()
        expected.add(nginx.file)
        #expect(received == expected)
        #expect(download.head.headerFields[HTTPField.Name("X-Conn")!] != nil)
        #expect(connection.requestCount == 2)
        #expect(connection.isIdle)
        await connection.close()
        await fixture.shutdown()
    }
}
