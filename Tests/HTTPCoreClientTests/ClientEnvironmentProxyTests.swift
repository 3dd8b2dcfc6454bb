import HTTPCore
import HTTPCoreClient
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
