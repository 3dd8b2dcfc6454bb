import HTTPCore
import HTTPCoreClient
import HTTPCoreTLS
import HTTPCoreTestSupport
import Testing

/// `trustEnvironment` end to end: an injected environment routes http:// through
/// tinyproxy on 127.0.0.1, NO_PROXY'd hosts go direct, and with the switch off the
/// environment is not read at all.
@Suite struct ClientEnvironmentProxyTests {
    static func configuration(_ fixture: BackendFixture, _ environment: [String: String]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.backend = fixture.backend
        configuration.environment = environment
        // tinyproxy closes each forwarded connection after the response (see ProxyInteropTests).
        configuration.maxKeepaliveConnections = 0
        return configuration
    }

    @Test func httpProxyFromTheEnvironmentAndNoProxyGoesDirect() async throws {
        let fixture = BackendKind.libuv.makeFixture()
        let origin = try await CanaryOrigin(backend: fixture.backend)
        let tinyproxy = try await Tinyproxy.start(connectPorts: [])
        defer { tinyproxy.stop() }
        do {
            let environment = [
                "HTTP_PROXY": "http://\(Tinyproxy.username):\(Tinyproxy.password)@127.0.0.1:\(tinyproxy.port)",
                "no_proxy": "localhost",
            ]
            try await withHTTPClient(Self.configuration(fixture, environment)) { client in
                let proxied = try await client.get("http://127.0.0.1:\(origin.port)/via-proxy")
                #expect(proxied.status == .ok)
                #expect(proxied.text() == "/via-proxy")
                let direct = try await client.get("http://localhost:\(origin.port)/direct")
                #expect(direct.status == .ok)
                #expect(direct.text() == "/direct")
            }
            // Only the proxied request passed through tinyproxy.
            #expect(tinyproxy.log.contains("/via-proxy"))
            #expect(!tinyproxy.log.contains("/direct"))
            #expect(origin.requestHeads.count == 2)
            #expect(origin.heads(containingAnyOf: [Tinyproxy.password, "Proxy-Authorization"]) == [])
        } catch {
            await origin.stop()
            await fixture.shutdown()
            throw error
        }
        await origin.stop()
        await fixture.shutdown()
    }

    /// http:// takes `http_proxy` (tinyproxy), https:// falls back to `all_proxy`
    /// (microsocks, which resolves "localhost" itself). A wrong SOCKS password failing the
    /// https request shows it really went through microsocks.
    @Test func eachSchemeTakesItsOwnVariable() async throws {
        let fixture = BackendKind.libuv.makeFixture()
        let pki = try TestPKI.shared()
        let tls = try TLSContext(.server(certificateChain: .file(pki.path("good.pem")), privateKey: .file(pki.path("good.key")), applicationProtocols: ["http/1.1"]))
        let plain = try await CanaryOrigin(backend: fixture.backend)
        let secure = try await CanaryOrigin(backend: fixture.backend, tls: tls)
        let tinyproxy = try await Tinyproxy.start(connectPorts: [])
        defer { tinyproxy.stop() }
        let microsocks = try await Microsocks.start()
        defer { microsocks.stop() }
        func configuration(socksPassword: String) -> HTTPClient.Configuration {
            var configuration = Self.configuration(fixture, [
                "http_proxy": "http://\(Tinyproxy.username):\(Tinyproxy.password)@127.0.0.1:\(tinyproxy.port)",
                "ALL_PROXY": "socks5h://\(Microsocks.username):\(socksPassword)@127.0.0.1:\(microsocks.port)",
            ])
            configuration.tls = .client(trustRoots: [.file(pki.path("ca.pem"))])
            return configuration
        }
        do {
            try await withHTTPClient(configuration(socksPassword: Microsocks.password)) { client in
                let proxied = try await client.get("http://127.0.0.1:\(plain.port)/by-tinyproxy")
                #expect(proxied.text() == "/by-tinyproxy")
                let socks = try await client.get("https://localhost:\(secure.port)/by-microsocks")
                #expect(socks.text() == "/by-microsocks")
            }
            try await withHTTPClient(configuration(socksPassword: "wrong")) { client in
                let error = await #expect(throws: HTTPCoreError.self) { _ = try await client.get("https://localhost:\(secure.port)/refused") }
                #expect(error?.category == .proxy, "\(String(describing: error))")
            }
            #expect(tinyproxy.log.contains("/by-tinyproxy"))
            #expect(!tinyproxy.log.contains("by-microsocks"))
            #expect(secure.requestHeads.count == 1)
        } catch {
            await plain.stop()
            await secure.stop()
            await fixture.shutdown()
            throw error
        }
        await plain.stop()
        await secure.stop()
        await fixture.shutdown()
    }

    @Test func trustEnvironmentOffIgnoresTheVariables() async throws {
        let fixture = BackendKind.libuv.makeFixture()
        let origin = try await CanaryOrigin(backend: fixture.backend)
        // A proxy nobody listens on: were it used, the request would fail.
        var configuration = Self.configuration(fixture, ["http_proxy": "http://127.0.0.1:1", "all_proxy": "http://127.0.0.1:1"])
        configuration.trustEnvironment = false
        do {
            try await withHTTPClient(configuration) { client in
                let response = try await client.get("http://127.0.0.1:\(origin.port)/plain")
                #expect(response.text() == "/plain")
            }
        } catch {
            await origin.stop()
            await fixture.shutdown()
            throw error
        }
        await origin.stop()
        await fixture.shutdown()
    }
}
