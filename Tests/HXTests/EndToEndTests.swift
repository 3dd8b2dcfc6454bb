import Foundation
import HTTPCore
import HTTPCoreLibUV
import HTTPCorePool
import HTTPCoreTLS
import HTTPCoreTestSupport
import HXCore
import Testing

/// The built `hx` binary as a subprocess against nginx and nghttpd on 127.0.0.1: what a
/// user sees (output and exit code), over HTTP/1.1, HTTP/2 by ALPN, h2c, with uploads,
/// downloads, failures and a small bench. Serialized: each test starts its own servers.
@Suite(.serialized) struct EndToEndTests {
    /// `hx` beside the test bundle (`swift build --build-tests` builds every product).
    static let binary: String = {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hx").path
    }()

    /// Runs hx off Swift's cooperative threads: the run blocks while it waits, and two
    /// blocked cooperative threads (of two, on this machine) starve every other test's
    /// tasks for as long as hx runs.
    static func hx(_ arguments: [String], input: String? = nil) async throws -> HarnessProcess.Result {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HarnessError("no hx binary at \(binary): build the hx product with the tests")
        }
        return try await offCooperativeThreads { try HarnessProcess.run(binary, arguments, input: input, timeout: .seconds(120)) }
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hx-e2e-\(UUID().uuidString)").path
    }

    @Test func requestsOverHTTP1HTTP2AndH2c() async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let ca = try TestPKI.shared().path("ca.pem")
        let tls = "https://localhost:\(nginx.tlsPort!)/"

        let plain = try await Self.hx(["http://127.0.0.1:\(nginx.port)/"])
        #expect(plain.status == 0 && plain.output == "hello from nginx\n")

        let h2 = try await Self.hx(["-i", "--cacert", ca, tls])
        #expect(h2.status == 0)
        #expect(h2.output.hasPrefix("HTTP/2 200\n") && h2.output.hasSuffix("\n\nhello from nginx\n"), "\(h2.output)")

        let h1 = try await Self.hx(["-i", "--http1.1", "--cacert", ca, tls])
        #expect(h1.output.hasPrefix("HTTP/1.1 200 OK\n"), "\(h1.output)")

        let h2c = try await Self.hx(["-i", "--h2c", "127.0.0.1:\(nginx.h2cPort!)/", "--backend", "dispatch"])
        #expect(h2c.status == 0 && h2c.output.hasPrefix("HTTP/2 200\n"), "\(h2c.output)")

        let verbose = try await Self.hx(["-v", "--cacert", ca, tls])
        for line in [
            "* Connected to 127.0.0.1:\(nginx.tlsPort!) from 127.0.0.1:", "(new connection #", "* TLS TLSv1.", ", cipher ",
            "* ALPN: server accepted h2", "* Server certificate: subject CN=httpcore test good",
            "> GET / HTTP/2", "> User-Agent: hx/0.1", "< HTTP/2 200", "* Timing: dns ", ", connect ", ", TLS ",
            ", first byte ", ", transfer ", ", total ", "* 17 body bytes received",
        ] {
            #expect(verbose.output.contains(line), "missing \(line.debugDescription) in\n\(verbose.output)")
        }
    }

    @Test func downloadsToAFile() async throws {
        let nginx = try await Nginx.start(tls: true, fileSize: 3 << 20)
        defer { nginx.stop() }
        let ca = try TestPKI.shared().path("ca.pem")
        for arguments in [["http://127.0.0.1:\(nginx.port)/file.bin"], ["--cacert", ca, "https://localhost:\(nginx.tlsPort!)/file.bin"]] {
            let path = Self.temporaryPath()
            defer { try? FileManager.default.removeItem(atPath: path) }
            let result = try await Self.hx(arguments + ["-o", path])
            #expect(result.status == 0 && result.output.isEmpty, "\(result.output)")  // no progress bar: stderr is not a terminal
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == nginx.file)
        }
        // An empty body still makes a (truncated) file; a --fail refusal makes none.
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try await Self.hx(["-X", "HEAD", "-o", path, "http://127.0.0.1:\(nginx.port)/"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        let refused = Self.temporaryPath()
        #expect(try await Self.hx(["--fail", "-o", refused, "http://127.0.0.1:\(nginx.port)/missing"]).status == 22)
        #expect(!FileManager.default.fileExists(atPath: refused))
    }

    @Test func failuresExitByCategory() async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let missing = "http://127.0.0.1:\(nginx.port)/missing"

        let notFound = try await Self.hx([missing])
        #expect(notFound.status == 0 && notFound.output.contains("404"))
        let failed = try await Self.hx(["--fail", missing])
        #expect(failed.status == 22 && failed.output == "hx: the server returned HTTP 404 (--fail)\n")

        let refused = try await Self.hx(["http://127.0.0.1:\(try freePort())/"])
        #expect(refused.status == 7 && refused.output.hasPrefix("hx: network(connect): "), "\(refused.output)")

        let untrusted = try await Self.hx(["https://localhost:\(nginx.tlsPort!)/"])
        #expect(untrusted.status == 60 && untrusted.output.contains("certificate was rejected"), "\(untrusted.output)")
        let wrongHost = try await Self.hx(["--cacert", try TestPKI.shared().path("ca.pem"), "https://127.0.0.1:\(nginx.tlsPort!)/"])
        #expect(wrongHost.status == 60 && wrongHost.output.contains("mismatch"), "\(wrongHost.output)")
        let insecure = try await Self.hx(["-k", "https://127.0.0.1:\(nginx.tlsPort!)/"])
        #expect(insecure.status == 0 && insecure.output == "hello from nginx\n")

        // Nothing listens at the proxy's address: a proxy failure, exit 5.
        let deadProxy = try await Self.hx(["--proxy", "http://127.0.0.1:\(try freePort())", "http://127.0.0.1:\(nginx.port)/"])
        #expect(deadProxy.status == 5 && deadProxy.output.contains("proxy"), "\(deadProxy.output)")
        let badProxy = try await Self.hx(["--proxy", "ftp://127.0.0.1:3128", missing])
        #expect(badProxy.status == 2 && badProxy.output.contains("--proxy"), "\(badProxy.output)")

        let usage = try await Self.hx(["-H", "NoColon", missing])
        #expect(usage.status == 2 && usage.output.contains("no colon") && usage.output.contains("Usage: hx request"))

        let unwritable = try await Self.hx(["-o", "/nonexistent-dir/out", "http://127.0.0.1:\(nginx.port)/"])
        #expect(unwritable.status == 23 && unwritable.output.contains("cannot create"), "\(unwritable.output)")
    }

    @Test func throughTinyproxyAndMicrosocks() async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let tinyproxy = try await Tinyproxy.start(connectPorts: [nginx.tlsPort!])
        defer { tinyproxy.stop() }
        let microsocks = try await Microsocks.start()
        defer { microsocks.stop() }
        let ca = try TestPKI.shared().path("ca.pem")
        let http = "http://\(Tinyproxy.username):\(Tinyproxy.password)@127.0.0.1:\(tinyproxy.port)"
        let socks = "socks5h://\(Microsocks.username):\(Microsocks.password)@127.0.0.1:\(microsocks.port)"
        // Forwarded http://, then CONNECT with TLS (and ALPN h2) inside, then SOCKS5.
        let forwarded = try await Self.hx(["--proxy", http, "http://127.0.0.1:\(nginx.port)/"])
        #expect(forwarded.status == 0 && forwarded.output == "hello from nginx\n", "\(forwarded.output)")
        let tunnelled = try await Self.hx(["-i", "--proxy", http, "--cacert", ca, "https://localhost:\(nginx.tlsPort!)/"])
        #expect(tunnelled.status == 0 && tunnelled.output.hasPrefix("HTTP/2 200"), "\(tunnelled.output)")
        let viaSocks = try await Self.hx(["-i", "--proxy", socks, "--cacert", ca, "https://localhost:\(nginx.tlsPort!)/"])
        #expect(viaSocks.status == 0 && viaSocks.output.hasPrefix("HTTP/2 200"), "\(viaSocks.output)")
        // Wrong credentials: a proxy failure, exit 5.
        let refused = try await Self.hx(["--proxy", "http://\(Tinyproxy.username):wrong@127.0.0.1:\(tinyproxy.port)", "--cacert", ca, "https://localhost:\(nginx.tlsPort!)/"])
        #expect(refused.status == 5, "\(refused.output)")
    }

    @Test func clientCertificates() async throws {
        let pki = try TestPKI.shared()
        let server = try await OpenSSLServer.start(arguments: [
            "-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-Verify", "1", "-CAfile", pki.path("ca.pem"), "-www",
        ])
        defer { server.stop() }
        let url = "https://localhost:\(server.port)/"
        let withCertificate = try await Self.hx(["-i", "--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"), "--key", pki.path("client.key"), url])
        #expect(withCertificate.status == 0 && withCertificate.output.hasPrefix("HTTP/1.0 200 ok\n"), "\(withCertificate.output)")
        #expect(withCertificate.output.contains("Subject: CN=httpcore test client"))
        let without = try await Self.hx(["--cacert", pki.path("ca.pem"), url])
        #expect(without.status == 35 && without.output.contains("certificate required"), "\(without.output)")
        let wrongKey = try await Self.hx(["--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"), "--key", pki.path("good.key"), url])
        #expect(wrongKey.status == 35 && wrongKey.output.contains("key values mismatch"), "\(wrongKey.output)")
    }

    @Test func timeoutsAgainstASilentServer() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let start = ContinuousClock.now
        let total = try await Self.hx(["-m", "0.5", "http://127.0.0.1:\(silent.port)/"])
        #expect(total.status == 28 && total.output.contains("timeout(total)"), "\(total.output)")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func uploadsFromArgumentsFilesAndStdin() async throws {
        let nghttpd = try await Nghttpd.start(tls: false)
        defer { nghttpd.stop() }
        let url = "http://127.0.0.1:\(nghttpd.port)/echo"
        let file = Self.temporaryPath()
        let payload = payloadFile(size: 1 << 20)
        try Data(payload).write(to: URL(fileURLWithPath: file))
        let out = Self.temporaryPath()
        defer {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: out)
        }

        let fromFile = try await Self.hx(["--h2c", "--data", "@" + file, "-o", out, url])
        #expect(fromFile.status == 0)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: out))) == payload)

        let fromStdin = try await Self.hx(["--h2c", "-X", "PUT", "--data", "@-", url], input: "read from stdin\n")
        #expect(fromStdin.status == 0 && fromStdin.output == "read from stdin\n", "\(fromStdin.output)")

        let json = try await Self.hx(["--h2c", "--json", #"{"a": [1, 2]}"#, url])
        #expect(json.output == #"{"a": [1, 2]}"#)

        // -F is multipart/form-data, as in curl; the echo shows the parts as sent.
        let form = try await Self.hx(["--h2c", "--form", "name=J Doe", "--form", "v=@-", url], input: "a&b")
        let boundary = form.output.prefix { $0 != "\r\n" }.dropFirst(2)  // "\r\n" is one Character
        #expect(boundary.hasPrefix("httpcore-") && boundary.count == 41, "\(form.output)")
        #expect(form.output == "--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nJ Doe\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"v\"; filename=\"-\"\r\nContent-Type: application/octet-stream\r\n\r\na&b\r\n"
            + "--\(boundary)--\r\n")
    }

    @Test func benchCountsEveryRequest() async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let h2c = try await Self.hx(["bench", "-n", "300", "-c", "1", "-m", "10", "--h2c", "http://127.0.0.1:\(nginx.h2cPort!)/"])
        #expect(h2c.status == 0, "\(h2c.output)")
        for line in ["requests: 300 total, 300 done, 300 succeeded, 0 failed, 0 errored", "status codes: 300 2xx",
                     "traffic: 5.10KB (5100) of bodies", "time for request:", "connections: 1 (HTTP/2 by prior knowledge (h2c))",
                     "us per request"] {
            #expect(h2c.output.contains(line), "missing \(line.debugDescription) in\n\(h2c.output)")
        }

        let h1 = try await Self.hx(["bench", "-n", "200", "-c", "4", "-m", "5", "--http1.1", "http://127.0.0.1:\(nginx.port)/"])
        #expect(h1.status == 0 && h1.output.contains("200 succeeded") && h1.output.contains("(HTTP/1.1)"), "\(h1.output)")
        #expect(h1.output.contains("-m 5 counts as 1"))

        let tls = try await Self.hx(["bench", "-n", "100", "-c", "2", "-m", "10", "--cacert", try TestPKI.shared().path("ca.pem"),
                               "https://localhost:\(nginx.tlsPort!)/"])
        #expect(tls.status == 0 && tls.output.contains("100 succeeded") && tls.output.contains("(HTTP/2 over TLS)"), "\(tls.output)")

        let notFound = try await Self.hx(["bench", "-n", "4", "-c", "2", "--http1.1", "http://127.0.0.1:\(nginx.port)/missing"])
        #expect(notFound.status == 1 && notFound.output.contains("0 succeeded, 4 failed") && notFound.output.contains("4 4xx"), "\(notFound.output)")

        let refused = try await Self.hx(["bench", "-n", "50", "http://127.0.0.1:\(try freePort())/"])
        #expect(refused.status == 7, "\(refused.output)")
    }

    /// The trace hx -v and --trace read, in process through the pool against nginx over
    /// TLS: a new connection's lookup, attempt, TCP and TLS, then the exchange, in order
    /// and in time order; the second request on the reused connection has no setup.
    @Test(arguments: BackendKind.real, [true, false]) func traceEventsThroughThePool(_ kind: BackendKind, http2: Bool) async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        var configuration = ConnectionPool.Configuration()
        configuration.http2 = http2
        configuration.tls = .client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))])
        let fixture = kind.makeFixture()
        let url = "https://localhost:\(nginx.tlsPort!)/"
        try await withConnectionPool(backend: fixture.backend, configuration: configuration) { pool in
            for round in 0..<2 {
                let recorder = RequestTraceRecorder()
                let response = try await pool.send(try Request(url: url, options: RequestOptions(trace: recorder.trace)))
                _ = try await response.body.collect(upTo: 1 << 20)
                let entries = recorder.entries
                #expect(entries.map(\.at) == entries.map(\.at).sorted(), "\(entries)")
                // Attempts depend on what localhost resolves to here (127.0.0.1, maybe ::1 too):
                // checked apart, the rest by name.
                let attempts = entries.filter { if case .attemptStarted = $0.event { true } else if case .attemptEnded = $0.event { true } else { false } }
                #expect(attempts.count % 2 == 0 && (round == 1 || !attempts.isEmpty), "\(attempts)")
                let names = entries.map { "\($0.event)".prefix(while: { $0 != " " && $0 != ":" }) }.map(String.init).filter { $0 != "attempt" }
                let setup = ["connect", "resolving", "resolved", "connected", "TLS", "TLS"]
                let exchange = ["connection", "request", "request", "response", "first", "response"]
                #expect(names == ["started", "queued"] + setup + exchange || names == ["started"] + exchange && round == 1, "\(names)")
                let metrics = recorder.metrics
                #expect(metrics.connectionReused == (round == 1))
                #expect(metrics.version == (http2 ? .http2 : .http1_1) && metrics.status == 200 && metrics.responseBodyBytes == 17)
                if round == 0 {
                    #expect(metrics.dns != nil && metrics.connect != nil && metrics.tls != nil && metrics.timeToFirstByte != nil)
                    let tls = entries.compactMap { if case .tlsEnded(let version, let cipher, let alpn, _) = $0.event { (version, cipher, alpn) } else { nil } }
                    #expect(tls.count == 1 && tls.first?.2 == (http2 ? "h2" : "http/1.1") && tls.first?.0 != nil && tls.first?.1 != nil)
                } else {
                    #expect(metrics.dns == nil && metrics.tls == nil)
                }
            }
        }
        await fixture.shutdown()
    }

    /// `hx --trace` prints every event with its offset in milliseconds.
    @Test func traceFlagPrintsEveryEventWithItsOffset() async throws {
        let nginx = try await Nginx.start(tls: false)
        defer { nginx.stop() }
        let result = try await Self.hx(["--trace", "http://127.0.0.1:\(nginx.port)/"])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("[") }
        #expect(lines.first?.hasSuffix(" ms] started GET http://127.0.0.1:\(nginx.port)") == true, "\(result.output)")
        #expect(lines.contains { $0.contains("ms] connected to 127.0.0.1:\(nginx.port) from 127.0.0.1:") }, "\(result.output)")
        #expect(lines.last?.hasSuffix("ms] response ended (17 body bytes)") == true, "\(result.output)")
    }
}

/// A TCP listener on 127.0.0.1 that accepts (in the kernel's backlog) and never answers.
struct SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw HarnessError("cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
