import Foundation
import HTTPCore
import HTTPCorePool
import HTTPCoreTLS
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The pool through real proxies on 127.0.0.1 (tinyproxy, tinyproxy behind a TLS front,
/// microsocks) over libuv, to canary origins that record every request head: what works,
/// what fails and how, and that the proxy credentials never reach an origin in any form.
@Suite struct ProxyInteropTests {
    /// Two canaries (cleartext, and TLS with the test PKI's localhost certificate) and the
    /// pool settings that trust that PKI.
    struct Origins {
        let fixture: BackendFixture
        let plain: CanaryOrigin
        let secure: CanaryOrigin

        static func run(_ body: (Origins) async throws -> Void) async throws {
            let fixture = BackendKind.libuv.makeFixture()
            let pki = try TestPKI.shared()
            let tls = try TLSContext(.server(certificateChain: .file(pki.path("good.pem")), privateKey: .file(pki.path("good.key")), applicationProtocols: ["http/1.1"]))
            let plain = try await CanaryOrigin(backend: fixture.backend)
            let secure = try await CanaryOrigin(backend: fixture.backend, tls: tls)
            let origins = Origins(fixture: fixture, plain: plain, secure: secure)
            do {
                try await body(origins)
            } catch {
                await origins.stop()
                throw error
            }
            await origins.stop()
        }

        func stop() async {
            await plain.stop()
            await secure.stop()
            await fixture.shutdown()
        }

        func configuration(proxy: String) throws -> ConnectionPool.Configuration {
            var configuration = ConnectionPool.Configuration()
            configuration.tls = .client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))])
            configuration.proxy = try Proxy(url: proxy)
            return configuration
        }

        /// Asserts that no head either canary received carries the credentials in any form.
        func expectNoLeak(username: String, password: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let secrets = ["Proxy-Authorization", password, Data("\(username):\(password)".utf8).base64EncodedString()]
            for canary in [plain, secure] {
                #expect(canary.heads(containingAnyOf: secrets) == [], sourceLocation: sourceLocation)
            }
        }
    }

    static func get(_ pool: ConnectionPool, _ url: String) async throws -> (Response, String) {
        let response = try await pool.send(try Request(url: url))
        return (response, String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self))
    }

    static func expectFailure(
        _ pool: ConnectionPool, _ url: String, _ code: HTTPCoreError.Code, _ refusal: ProxyRefusal? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let error = await #expect(throws: HTTPCoreError.self, sourceLocation: sourceLocation) { _ = try await pool.send(try Request(url: url)) }
        #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.category == .proxy || code.category != .proxy, sourceLocation: sourceLocation)
        if let refusal { #expect(error?.underlying as? ProxyRefusal == refusal, sourceLocation: sourceLocation) }
    }

    static func firstLines(_ heads: [String]) -> [String] {
        heads.map { String($0.prefix { $0 != "\r\n" }) }
    }

    @Test func tinyproxyForwardsHTTPAndTunnelsHTTPS() async throws {
        try await Origins.run { origins in
            let tinyproxy = try await Tinyproxy.start(connectPorts: [origins.secure.port])
            defer { tinyproxy.stop() }
            let proxy = "http://\(Tinyproxy.username):\(Tinyproxy.password)@127.0.0.1:\(tinyproxy.port)"
            // tinyproxy closes the client connection after each forwarded response without
            // saying so (no Connection: close), and a request sent at that instant fails
            // with .closedBeforeResponse, which the pool does not retry. So no forwarded
            // connection is kept here; ProxyMockTests covers their reuse.
            var oneShot = try origins.configuration(proxy: proxy)
            oneShot.maxKeepaliveConnections = 0
            try await withConnectionPool(backend: origins.fixture.backend, configuration: oneShot) { pool in
                for path in ["/a", "/b", "/c"] {
                    let (response, body) = try await Self.get(pool, "http://127.0.0.1:\(origins.plain.port)\(path)")
                    #expect(response.status == .ok)
                    #expect(body == path)
                }
            }
            try await withConnectionPool(backend: origins.fixture.backend, configuration: try origins.configuration(proxy: proxy)) { pool in
                // CONNECT, then TLS to the origin inside: one tunnel carries both requests.
                for path in ["/d", "/e"] {
                    let (response, body) = try await Self.get(pool, "https://localhost:\(origins.secure.port)\(path)")
                    #expect(response.version == .http1_1)
                    #expect(body == path)
                }
                #expect(pool.connections.contains("<HTTP1Connection ['https://localhost:\(origins.secure.port)', HTTP/1.1, IDLE, Request Count: 2]>"))
            }
            // tinyproxy rewrote the absolute-form targets.
            #expect(Self.firstLines(origins.plain.requestHeads) == ["GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1"])
            #expect(Self.firstLines(origins.secure.requestHeads) == ["GET /d HTTP/1.1", "GET /e HTTP/1.1"])
            #expect(origins.secure.connections == 1)
            origins.expectNoLeak(username: Tinyproxy.username, password: Tinyproxy.password)
        }
    }

    @Test func http2ToNginxThroughACONNECTTunnel() async throws {
        let nginx = try await Nginx.start(tls: true, fileSize: 1 << 20)
        defer { nginx.stop() }
        let tinyproxy = try await Tinyproxy.start(connectPorts: [nginx.tlsPort!])
        defer { tinyproxy.stop() }
        let fixture = BackendKind.libuv.makeFixture()
        var configuration = ConnectionPool.Configuration()
        configuration.tls = .client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))])
        configuration.http2 = true
        configuration.proxy = try Proxy(url: "http://\(Tinyproxy.username):\(Tinyproxy.password)@127.0.0.1:\(tinyproxy.port)")
        try await withConnectionPool(backend: fixture.backend, configuration: configuration) { pool in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let (response, body) = try await Self.get(pool, "https://localhost:\(nginx.tlsPort!)/")
                        #expect(response.version == .http2)
                        #expect(body == "hello from nginx\n")
                    }
                }
                try await group.waitForAll()
            }
            let response = try await pool.send(try Request(url: "https://localhost:\(nginx.tlsPort!)/file.bin"))
            #expect(try await response.body.collect(upTo: 2 << 20) == nginx.file)
            #expect(pool.connections.count == 1)
            #expect(pool.connections.allSatisfy { $0.contains("HTTP/2") })
        }
        await fixture.shutdown()
    }

    @Test func tinyproxyRefusalsAreTypedAndReachNoOrigin() async throws {
        try await Origins.run { origins in
            let tinyproxy = try await Tinyproxy.start(connectPorts: [origins.secure.port])
            defer { tinyproxy.stop() }
            let secure = "https://localhost:\(origins.secure.port)/"
            let plain = "http://127.0.0.1:\(origins.plain.port)/"
            let anonymous = try origins.configuration(proxy: "http://127.0.0.1:\(tinyproxy.port)")
            try await withConnectionPool(backend: origins.fixture.backend, configuration: anonymous) { pool in
                await Self.expectFailure(pool, secure, .proxyAuthenticationRequired, .httpStatus(407))
                await Self.expectFailure(pool, plain, .proxyAuthenticationRequired, .httpStatus(407))
            }
            let wrong = try origins.configuration(proxy: "http://\(Tinyproxy.username):wrong@127.0.0.1:\(tinyproxy.port)")
            try await withConnectionPool(backend: origins.fixture.backend, configuration: wrong) { pool in
                // tinyproxy 1.11 answers wrong credentials with 401: to CONNECT that can only
                // be the proxy's; to a forwarded request it cannot be told from the origin's.
                await Self.expectFailure(pool, secure, .proxyAuthenticationRequired, .httpStatus(401))
                let (response, _) = try await Self.get(pool, plain)
                #expect(response.status == .unauthorized)
                #expect(response.head.headerFields[.server] == "tinyproxy/1.11.1")
            }
            let allowed = try origins.configuration(proxy: "http://\(Tinyproxy.username):\(Tinyproxy.password)@127.0.0.1:\(tinyproxy.port)")
            try await withConnectionPool(backend: origins.fixture.backend, configuration: allowed) { pool in
                // Not a ConnectPort: 403.
                await Self.expectFailure(pool, "https://localhost:\(origins.plain.port)/", .proxyTunnelRefused, .httpStatus(403))
            }
            #expect(origins.plain.requestHeads == [])
            #expect(origins.secure.requestHeads == [])
        }
    }

    @Test func anUnreachableOrWrongKindOfProxyIsTyped() async throws {
        try await Origins.run { origins in
            let tinyproxy = try await Tinyproxy.start(connectPorts: [origins.secure.port])
            defer { tinyproxy.stop() }
            let microsocks = try await Microsocks.start()
            defer { microsocks.stop() }
            let closed = try freePort()
            let secure = "https://localhost:\(origins.secure.port)/"
            for (proxy, code) in [
                ("http://127.0.0.1:\(closed)", HTTPCoreError.Code.proxyUnreachable),
                ("socks5h://127.0.0.1:\(closed)", .proxyUnreachable),
                // SOCKS5 to an HTTP proxy: tinyproxy waits, silently, for the end of a
                // request line, so the handshake ends at the pool's connect timeout.
                ("socks5h://127.0.0.1:\(tinyproxy.port)", .connectTimeout),
                // CONNECT to a SOCKS5 proxy: microsocks hangs up.
                ("http://127.0.0.1:\(microsocks.port)", .proxyProtocolError),
            ] {
                var configuration = try origins.configuration(proxy: proxy)
                configuration.connectTimeout = .milliseconds(500)
                try await withConnectionPool(backend: origins.fixture.backend, configuration: configuration) { pool in
                    await Self.expectFailure(pool, secure, code)
                }
            }
            #expect(origins.secure.connections == 0)
        }
    }

    @Test func anHTTPSProxyCarriesTLSInsideTLS() async throws {
        let nginx = try await Nginx.start(tls: true, fileSize: 1 << 20)
        defer { nginx.stop() }
        try await Origins.run { origins in
            let tinyproxy = try await Tinyproxy.start(connectPorts: [origins.secure.port, nginx.tlsPort!])
            defer { tinyproxy.stop() }
            let pki = try TestPKI.shared()
            let relay = try await TLSRelay(
                backend: origins.fixture.backend,
                tls: try TLSContext(.server(certificateChain: .file(pki.path("good.pem")), privateKey: .file(pki.path("good.key")))),
                targetPort: tinyproxy.port
            )
            let proxy = "https://\(Tinyproxy.username):\(Tinyproxy.password)@localhost:\(relay.port)"
            var configuration = try origins.configuration(proxy: proxy)
            configuration.http2 = true
            try await withConnectionPool(backend: origins.fixture.backend, configuration: configuration) { pool in
                let (_, forwarded) = try await Self.get(pool, "http://127.0.0.1:\(origins.plain.port)/forwarded")
                #expect(forwarded == "/forwarded")
                for path in ["/tunnelled", "/again"] {
                    let (response, body) = try await Self.get(pool, "https://localhost:\(origins.secure.port)\(path)")
                    #expect(response.version == .http1_1)
                    #expect(body == path)
                }
                let (response, body) = try await Self.get(pool, "https://localhost:\(nginx.tlsPort!)/")
                #expect(response.version == .http2)
                #expect(body == "hello from nginx\n")
            }
            #expect(origins.secure.connections == 1)
            #expect(relay.connections == 3)
            origins.expectNoLeak(username: Tinyproxy.username, password: Tinyproxy.password)

            // The proxy's certificate is verified: by default against the pool's trust.
            var untrusted = try origins.configuration(proxy: proxy)
            untrusted.proxy?.tls = .client()
            try await withConnectionPool(backend: origins.fixture.backend, configuration: untrusted) { pool in
                await Self.expectFailure(pool, "https://localhost:\(origins.secure.port)/", .tlsCertificateRejected)
            }
            await relay.stop()
        }
    }

    @Test func microsocksTunnelsEveryOrigin() async throws {
        let nginx = try await Nginx.start(tls: true, fileSize: 1 << 20)
        defer { nginx.stop() }
        try await Origins.run { origins in
            let microsocks = try await Microsocks.start()
            defer { microsocks.stop() }
            let credentials = "\(Microsocks.username):\(Microsocks.password)"
            // socks5h: the proxy resolves "localhost".
            var configuration = try origins.configuration(proxy: "socks5h://\(credentials)@127.0.0.1:\(microsocks.port)")
            configuration.http2 = true
            try await withConnectionPool(backend: origins.fixture.backend, configuration: configuration) { pool in
                for url in ["http://localhost:\(origins.plain.port)/a", "http://localhost:\(origins.plain.port)/b", "https://localhost:\(origins.secure.port)/c"] {
                    let (response, body) = try await Self.get(pool, url)
                    #expect(response.status == .ok)
                    #expect(url.hasSuffix(body))
                }
                let (response, body) = try await Self.get(pool, "https://localhost:\(nginx.tlsPort!)/")
                #expect(response.version == .http2)
                #expect(body == "hello from nginx\n")
            }
            // socks5: "localhost" resolved here, the proxy gets 127.0.0.1.
            let local = try origins.configuration(proxy: "socks5://\(credentials)@127.0.0.1:\(microsocks.port)")
            try await withConnectionPool(backend: origins.fixture.backend, configuration: local) { pool in
                let (_, body) = try await Self.get(pool, "http://localhost:\(origins.plain.port)/d")
                #expect(body == "/d")
            }
            #expect(Self.firstLines(origins.plain.requestHeads) == ["GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /d HTTP/1.1"])
            #expect(origins.plain.connections == 2)
            origins.expectNoLeak(username: Microsocks.username, password: Microsocks.password)
        }
    }

    @Test func microsocksRefusalsAreTyped() async throws {
        try await Origins.run { origins in
            let microsocks = try await Microsocks.start()
            defer { microsocks.stop() }
            let url = "http://localhost:\(origins.plain.port)/"
            for (proxy, code, refusal) in [
                ("socks5h://\(Microsocks.username):wrong@127.0.0.1:\(microsocks.port)", HTTPCoreError.Code.proxyAuthenticationRequired, ProxyRefusal.socks5LoginFailed(2)),
                ("socks5h://127.0.0.1:\(microsocks.port)", .proxyAuthenticationRequired, .socks5NoAcceptableMethod),
            ] {
                try await withConnectionPool(backend: origins.fixture.backend, configuration: try origins.configuration(proxy: proxy)) { pool in
                    await Self.expectFailure(pool, url, code, refusal)
                }
            }
            let allowed = try origins.configuration(proxy: "socks5://\(Microsocks.username):\(Microsocks.password)@127.0.0.1:\(microsocks.port)")
            try await withConnectionPool(backend: origins.fixture.backend, configuration: allowed) { pool in
                await Self.expectFailure(pool, "http://127.0.0.1:\(try freePort())/", .proxyTunnelRefused, .socks5Reply(5))
            }
            #expect(origins.plain.requestHeads == [])
        }
    }
}
