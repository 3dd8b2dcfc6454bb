import Foundation
import HTTPCore
import HTTPCoreTestSupport
import Testing

/// Checks the TLS test harness against the openssl CLI alone, so that a TLS test failing later
/// points at our code and not at the PKI or the peer.
@Suite("TLS test harness")
struct HarnessSelfTests {
    @Test("the PKI script writes every file, once per process")
    func pkiFiles() throws {
        let pki = try TestPKI.shared()
        #expect(try TestPKI.shared().directory == pki.directory)
        for name in TestPKI.files {
            let text = String(decoding: try pki.bytes(name), as: UTF8.self)
            if name.hasSuffix(".key") {
                #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "\(name)")
            } else {
                #expect(text.hasPrefix("-----BEGIN CERTIFICATE-----\n"), "\(name)")
            }
        }
        let bundle = String(decoding: try pki.bytes("chain-leaf-bundle.pem"), as: UTF8.self)
        #expect(bundle == String(decoding: try pki.bytes("chain-leaf.pem") + pki.bytes("intermediate.pem"), as: UTF8.self))
        // Nothing but the certificates and keys: the script's scratch directory is gone.
        let present = try FileManager.default.contentsOfDirectory(atPath: pki.directory).sorted()
        #expect(present == TestPKI.files.sorted())
    }

    @Test("a failing script is reported with its stderr")
    func pkiFailure() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("httpcore-not-a-dir-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = #expect(throws: HarnessError.self) { try TestPKI.generate(into: file.path) }
        #expect(error?.description.contains("exited with status") == true)
        #expect(error?.description.contains("File exists") == true, "\(error?.description ?? "")")
    }

    /// One server certificate (PKI name) against a client that trusts `ca.pem` and checks a name.
    struct VerifyCase: Sendable, CustomTestStringConvertible {
        let name: String
        let client: [String]
        /// nil: verification succeeds; otherwise what s_client says about the failure.
        let failure: String?
        /// A PKI file the server sends after its certificate (`-cert_chain`).
        var chain: String? = nil

        var subject: String { name == "cnonly" ? "CN = localhost" : "CN = httpcore test \(name)" }
        var testDescription: String {
            "\(name)\(chain.map { " + \($0)" } ?? "") \(client.joined(separator: " ")) -> \(failure ?? "ok")"
        }
    }

    static let verifyCases: [VerifyCase] = [
        VerifyCase(name: "good", client: ["-verify_hostname", "localhost"], failure: nil),
        VerifyCase(name: "good", client: ["-verify_hostname", "good.test"], failure: nil),
        VerifyCase(name: "good", client: ["-verify_hostname", "other.test"], failure: "hostname mismatch"),
        VerifyCase(name: "expired", client: ["-verify_hostname", "localhost"], failure: "certificate has expired"),
        VerifyCase(name: "notyetvalid", client: ["-verify_hostname", "localhost"], failure: "certificate is not yet valid"),
        VerifyCase(name: "wronghost", client: ["-verify_hostname", "localhost"], failure: "hostname mismatch"),
        VerifyCase(name: "selfsigned", client: ["-verify_hostname", "localhost"], failure: "self-signed certificate"),
        VerifyCase(name: "unknownca", client: ["-verify_hostname", "localhost"], failure: "unable to get local issuer certificate"),
        VerifyCase(name: "chain-leaf", client: ["-verify_hostname", "localhost"], failure: nil, chain: "intermediate.pem"),
        VerifyCase(name: "chain-leaf", client: ["-verify_hostname", "localhost"], failure: "unable to get local issuer certificate"),
        VerifyCase(name: "ipsan", client: ["-verify_ip", "127.0.0.1"], failure: nil),
        VerifyCase(name: "ipsan", client: ["-verify_hostname", "localhost"], failure: "hostname mismatch"),
        VerifyCase(name: "good", client: ["-verify_ip", "127.0.0.1"], failure: "IP address mismatch"),
        // OpenSSL falls back to the Common Name when there is no DNS subjectAltName; our client
        // must refuse this one itself (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT).
        VerifyCase(name: "cnonly", client: ["-verify_hostname", "localhost"], failure: nil),
    ]

    @Test("s_client verifies the PKI's certificates as designed", arguments: verifyCases)
    func verification(_ testCase: VerifyCase) async throws {
        let pki = try TestPKI.shared()
        var server = ["-cert", pki.path("\(testCase.name).pem"), "-key", pki.path("\(testCase.name).key"), "-www"]
        if let chain = testCase.chain { server += ["-cert_chain", pki.path(chain)] }
        try await withOpenSSLServer(arguments: server) { server in
            let client = try OpenSSLServer.runClient(
                arguments: ["-connect", server.address, "-CAfile", pki.path("ca.pem"), "-verify_return_error"] + testCase.client
            )
            #expect(client.output.contains("s:\(testCase.subject)\n"), "\(client.output)")
            if let failure = testCase.failure {
                #expect(client.status != 0, "\(client.output)")
                #expect(client.output.contains("verify error:num=") && client.output.contains(failure), "\(client.output)")
            } else {
                #expect(client.status == 0, "\(client.output)")
                #expect(client.output.contains("Verify return code: 0 (ok)"), "\(client.output)")
            }
        }
    }

    @Test("-www serves a status page to GET /")
    func wwwPage() async throws {
        let pki = try TestPKI.shared()
        try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www", "-alpn", "h2,http/1.1"]) { server in
            let client = try OpenSSLServer.runClient(
                arguments: ["-connect", server.address, "-CAfile", pki.path("ca.pem"), "-verify_return_error", "-alpn", "http/1.1", "-ign_eof"],
                input: "GET / HTTP/1.0\r\n\r\n"
            )
            #expect(client.status == 0, "\(client.output)")
            #expect(client.output.contains("HTTP/1.0 200 ok\r\n"), "\(client.output)")
            #expect(client.output.contains("ALPN protocol: http/1.1"), "\(client.output)")
        }
    }

    @Test("-rev sends lines back reversed and closes on CLOSE")
    func revMode() async throws {
        let pki = try TestPKI.shared()
        try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-rev"]) { server in
            let client = try OpenSSLServer.runClient(
                arguments: ["-connect", server.address, "-CAfile", pki.path("ca.pem"), "-ign_eof"],
                input: "hello world\nCLOSE\n"
            )
            #expect(client.status == 0, "\(client.output)")
            #expect(client.output.contains("dlrow olleh"), "\(client.output)")
        }
    }

    @Test("default mode prints what the client sent")
    func echoToStdout() async throws {
        let pki = try TestPKI.shared()
        try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key")]) { server in
            _ = try OpenSSLServer.runClient(
                arguments: ["-connect", server.address, "-CAfile", pki.path("ca.pem")],
                input: "marker-1234\n"
            )
            try await server.waitForOutput(containing: "marker-1234")
        }
    }

    @Test("a TLS 1.1-only peer exists: it completes TLS 1.1 and refuses TLS 1.2")
    func tls11Peer() async throws {
        let pki = try TestPKI.shared()
        let serverArguments = ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]
        try await withOpenSSLServer(arguments: serverArguments) { server in
            let base = ["-connect", server.address, "-CAfile", pki.path("ca.pem"), "-verify_return_error"]
            let tls11 = try OpenSSLServer.runClient(arguments: base + ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
            #expect(tls11.status == 0, "\(tls11.output)")
            #expect(tls11.output.contains("Protocol  : TLSv1.1"), "\(tls11.output)")

            let tls12 = try OpenSSLServer.runClient(arguments: base + ["-tls1_2"])
            #expect(tls12.status != 0, "\(tls12.output)")
            #expect(tls12.output.contains("unsupported protocol"), "\(tls12.output)")

            // A default client offers TLS 1.1 but refuses the SHA-1 based handshake at SECLEVEL 1.
            let defaults = try OpenSSLServer.runClient(arguments: base)
            #expect(defaults.status != 0, "\(defaults.output)")
        }
        // Without SECLEVEL=0 the server cannot sign a TLS 1.1 handshake at all.
        try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www", "-tls1_1"]) { server in
            let client = try OpenSSLServer.runClient(
                arguments: ["-connect", server.address, "-CAfile", pki.path("ca.pem"), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]
            )
            #expect(client.status != 0, "\(client.output)")
            #expect(client.output.contains("alert internal error"), "\(client.output)")
        }
    }

    @Test("an SNI server presents good.pem only to a client naming good.test")
    func sni() async throws {
        let pki = try TestPKI.shared()
        let serverArguments = [
            "-cert", pki.path("wronghost.pem"), "-key", pki.path("wronghost.key"),
            "-servername", "good.test", "-cert2", pki.path("good.pem"), "-key2", pki.path("good.key"), "-www",
        ]
        try await withOpenSSLServer(arguments: serverArguments) { server in
            let base = ["-connect", server.address, "-CAfile", pki.path("ca.pem")]
            let named = try OpenSSLServer.runClient(arguments: base + ["-servername", "good.test", "-verify_hostname", "good.test", "-verify_return_error"])
            #expect(named.status == 0, "\(named.output)")
            #expect(named.output.contains("s:CN = httpcore test good\n"), "\(named.output)")

            // -connect to an IP literal sends no SNI unless asked; say so explicitly anyway.
            let unnamed = try OpenSSLServer.runClient(arguments: base + ["-noservername"])
            #expect(unnamed.output.contains("s:CN = httpcore test wronghost\n"), "\(unnamed.output)")

            let other = try OpenSSLServer.runClient(arguments: base + ["-servername", "other.test"])
            #expect(other.output.contains("s:CN = httpcore test wronghost\n"), "\(other.output)")
        }
    }

    @Test("start retries on another port when the first one is taken")
    func portRetry() async throws {
        let pki = try TestPKI.shared()
        let busy = try await OpenSSLServer.start(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www"])
        defer { busy.stop() }
        let ports = Locked([busy.port])
        let server = try await OpenSSLServer.start(
            arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www"],
            nextPort: { try ports.withLock { $0.isEmpty ? try freePort() : $0.removeFirst() } }
        )
        defer { server.stop() }
        #expect(server.port != busy.port)
        let client = try OpenSSLServer.runClient(arguments: ["-connect", server.address, "-CAfile", pki.path("ca.pem"), "-verify_return_error"])
        #expect(client.status == 0, "\(client.output)")

        // With every attempt on the busy port, start gives up and says why.
        let error = await #expect(throws: HarnessError.self) {
            _ = try await OpenSSLServer.start(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www"], nextPort: { busy.port })
        }
        #expect(error?.description.contains("Address already in use") == true, "\(error?.description ?? "")")
    }

    @Test("a server that cannot start throws with its stderr")
    func startFailure() async throws {
        let error = await #expect(throws: HarnessError.self) {
            _ = try await OpenSSLServer.start(arguments: ["-cert", "/nonexistent/cert.pem", "-www"])
        }
        #expect(error?.description.contains("/nonexistent/cert.pem") == true, "\(error?.description ?? "")")
        await #expect(throws: HarnessError.self) { _ = try await OpenSSLServer.start(arguments: ["-quiet"]) }
    }

    @Test("stop ends the process, is idempotent, and the scoped helper stops on a throw")
    func stopping() async throws {
        let pki = try TestPKI.shared()
        let arguments = ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www"]
        let server = try await OpenSSLServer.start(arguments: arguments)
        #expect(server.isRunning)
        server.stop()
        server.stop()
        #expect(!server.isRunning)
        #expect(server.output.contains("ACCEPT"))

        struct Boom: Error {}
        let escaped = Locked<OpenSSLServer?>(nil)
        await #expect(throws: Boom.self) {
            try await withOpenSSLServer(arguments: arguments) { server in
                escaped.withLock { $0 = server }
                throw Boom()
            }
        }
        #expect(escaped.withLock { $0?.isRunning } == false)
    }
}
