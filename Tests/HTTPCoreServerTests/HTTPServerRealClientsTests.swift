import Dispatch
import HTTPCore
import HTTPCoreLibUV
import HTTPCoreServer
import HTTPCoreTLS
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// Real clients against `HTTPServer` on libuv: curl over HTTP/1.1, HTTP/2 by ALPN and by
/// prior knowledge, nghttp, and h2load's 20,000 requests over 100 streams with every
/// response counted, and Python's httpx. Debian's curl, nghttp2-client and python3-httpx
/// (scripts/install-deps.sh).
@Suite(.serialized) struct HTTPServerRealClientsTests {
    static let handler: HTTPServer.Handler = .requests { request, response in
        if request.head.method == .post {
            let body = try await request.body.collect(upTo: 1 << 20)
            try await response.respond(HTTPResponse(status: .ok), body: Array("hello, ".utf8) + body)
        } else {
            try await response.respond(HTTPResponse(status: .ok, headerFields: [.contentType: "text/plain"]), body: Array("hello\n".utf8))
        }
    }

    struct Running {
        let backend: LibUVBackend
        let server: HTTPServer
        let port: Int
        let pki: TestPKI

        func stop() async {
            await server.shutdown()
            #expect(server.connectionCount == 0)
            await backend.shutdown()
        }
    }

    func start(tls: Bool = false) async throws -> Running {
        let backend = LibUVBackend(loopCount: 1)
        let pki = try TestPKI.shared()
        var configuration = HTTPServer.Configuration()
        if tls {
            configuration.tls = try TLSContext(.server(
                certificateChain: .file(pki.path("good.pem")), privateKey: .file(pki.path("good.key")), applicationProtocols: ["h2", "http/1.1"]
            ))
        }
        let server = try await HTTPServer.start(backend: backend, configuration: configuration, handler: Self.handler)
        guard case .inet(_, let port) = server.localAddress else { throw HTTPCoreError(.connectFailed, "no port") }
        return Running(backend: backend, server: server, port: port, pki: pki)
    }

    /// Runs a client process off Swift's cooperative threads (it blocks while it waits).
    func run(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> HarnessProcess.Result {
        try await offCooperativeThreads { try HarnessProcess.run(executable, arguments, input: input, timeout: .seconds(120)) }
    }

    @Test func curlOverHTTP1AndH2c() async throws {
        let server = try await start()
        let url = "http://127.0.0.1:\(server.port)/"
        let http1 = try await run("/usr/bin/curl", ["-sS", "--http1.1", "-w", "|%{http_version}", url])
        #expect(http1.status == 0)
        #expect(http1.output == "hello\n|1.1")
        let h2c = try await run("/usr/bin/curl", ["-sS", "--http2-prior-knowledge", "-w", "|%{http_version}", url])
        #expect(h2c.output == "hello\n|2")
        let post = try await run("/usr/bin/curl", ["-sS", "--http2-prior-knowledge", "--data-binary", "@-", url], input: "world")
        #expect(post.output == "hello, world")
        let chunked = try await run("/usr/bin/curl", ["-sS", "--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", url], input: "swift")
        #expect(chunked.output == "hello, swift")
        await server.stop()
    }

    @Test func curlOverTLSWithALPN() async throws {
        let server = try await start(tls: true)
        let url = "https://localhost:\(server.port)/"
        let ca = server.pki.path("ca.pem")
        let h2 = try await run("/usr/bin/curl", ["-sS", "--http2", "--cacert", ca, "-w", "|%{http_version}", url])
        #expect(h2.status == 0)
        #expect(h2.output == "hello\n|2")
        let http1 = try await run("/usr/bin/curl", ["-sS", "--http1.1", "--cacert", ca, "-w", "|%{http_version}", url])
        #expect(http1.output == "hello\n|1.1")
        await server.stop()
    }

    @Test func nghttp() async throws {
        let server = try await start()
        let result = try await run("/usr/bin/nghttp", ["-v", "http://127.0.0.1:\(server.port)/"])
        #expect(result.status == 0)
        #expect(result.output.contains(":status: 200"))
        #expect(result.output.contains("hello"))
        await server.stop()
    }

    /// Python's httpx (Debian's python3-httpx, with h2): HTTP/2 over TLS by ALPN, h2c by
    /// prior knowledge (`http1=False, http2=True`), and HTTP/1.1, a GET and a POST each.
    @Test func pythonHTTPX() async throws {
        let script = """
        import sys, httpx
        url, ca, mode = sys.argv[1], sys.argv[2], sys.argv[3]
        http1, http2 = {"h2": (True, True), "h2c": (False, True), "http1": (True, False)}[mode]
        with httpx.Client(http1=http1, http2=http2, verify=ca) as client:
            got = client.get(url)
            posted = client.post(url, content=b"world")
            print(got.http_version, got.status_code, got.text.strip(), posted.text)
        """
        for (tls, mode, version) in [(true, "h2", "HTTP/2"), (false, "h2c", "HTTP/2"), (false, "http1", "HTTP/1.1")] {
            let server = try await start(tls: tls)
            let url = tls ? "https://localhost:\(server.port)/" : "http://127.0.0.1:\(server.port)/"
            let result = try await run("/usr/bin/python3", ["-c", script, url, server.pki.path("ca.pem"), mode])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output == "\(version) 200 hello hello, world\n", "\(mode)")
            await server.stop()
        }
    }

    @Test func h2loadTwentyThousandRequestsOverAHundredStreams() async throws {
        let server = try await start()
        let result = try await run("/usr/bin/h2load", ["-n", "20000", "-c", "1", "-m", "100", "http://127.0.0.1:\(server.port)/"])
        #expect(result.status == 0)
        #expect(result.output.contains("requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored, 0 timeout"))
        #expect(result.output.contains("status codes: 20000 2xx, 0 3xx, 0 4xx, 0 5xx"))
        #expect(server.server.requestsServed == 20000)
        await server.stop()
    }
}
