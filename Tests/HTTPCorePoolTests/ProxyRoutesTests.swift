import HTTPCore
import HTTPCoreMock
@testable import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// NO_PROXY matching, reading proxies from an environment dictionary, and the pool
/// routing origins to different proxies (or none) over the mock backend.
@Suite struct ProxyRoutesTests {
    static let noProxyCases: [(list: String, host: String, port: Int, matches: Bool)] = [
        ("", "example.com", 80, false),
        ("*", "anything.test", 443, true),
        ("example.com", "example.com", 80, true),
        ("example.com", "a.example.com", 80, true),
        (".example.com", "example.com", 80, true),
        (".example.com", "a.b.example.com", 80, true),
        ("example.com", "notexample.com", 80, false),
        ("example.com", "example.com.evil.test", 80, false),
        ("EXAMPLE.com", "Api.Example.COM", 80, true),
        ("example.com.", "example.com", 80, true),
        ("foo.test, example.com", "example.com", 80, true),
        ("foo.test example.com", "example.com", 80, true),
        ("127.0.0.1", "127.0.0.1", 80, true),
        ("127.0.0.1", "127.0.0.2", 80, false),
        ("127.0.0.1", "localhost", 80, false),
        ("localhost", "localhost", 80, true),
        ("example.com", "localhost", 80, false),
        ("10.0.0.0/8", "10.1.2.3", 80, true),
        ("10.0.0.0/8", "11.0.0.1", 80, false),
        ("192.168.1.0/24", "192.168.1.77", 80, true),
        ("192.168.1.0/24", "192.168.2.1", 80, false),
        ("::1", "[::1]", 80, true),
        ("::1/128", "::1", 80, true),
        ("fd00::/8", "[fd12::1]", 80, true),
        ("fd00::/8", "10.0.0.1", 80, false),
        ("10.0.0.0/8", "ten.example", 80, false),
        ("0:0:0:0:0:0:0:1", "::1", 80, true),
        ("example.com:8080", "example.com", 8080, true),
        ("example.com:8080", "example.com", 80, false),
        ("[::1]:8080", "::1", 8080, true),
        ("[::1]:8080", "::1", 443, false),
        ("example.com:notaport, other.test", "example.com", 80, false),
        ("10.0.0.0/33", "10.0.0.1", 80, false),
        ("*.example.com", "a.example.com", 80, true),
    ]

    @Test(arguments: noProxyCases)
    func noProxyMatchesAsCurlDoes(_ testCase: (list: String, host: String, port: Int, matches: Bool)) {
        #expect(NoProxy(testCase.list).matches(host: testCase.host, port: testCase.port) == testCase.matches)
    }

    static func routes(_ environment: [String: String]) -> (http: String?, https: String?, all: String?, noProxy: String?, ignored: [String]) {
        let (routes, ignored) = ProxyRoutes.fromEnvironment(environment)
        return (routes?.http?.description, routes?.https?.description, routes?.all?.description, routes?.noProxy.description, ignored.map(\.name))
    }

    @Test func lowercaseWinsAndSchemesGetTheirOwnVariables() {
        let read = Self.routes([
            "http_proxy": "http://lower.test:3128", "HTTP_PROXY": "http://upper.test:3128",
            "HTTPS_PROXY": "upper-tls.test:8080", "ALL_PROXY": "socks5h://socks.test", "NO_PROXY": "internal.test",
        ])
        #expect(read.http == "http://lower.test:3128")
        #expect(read.https == "http://upper-tls.test:8080")  // no scheme: http://, as curl and httpx
        #expect(read.all == "socks5h://socks.test:1080")
        #expect(read.noProxy == "internal.test")
        #expect(read.ignored.isEmpty)
    }

    @Test func schemeSpecificBeforeAllProxy() throws {
        let routes = try #require(ProxyRoutes.fromEnvironment(["https_proxy": "http://tls.test:1", "all_proxy": "http://all.test:2"]).routes)
        #expect(routes.proxy(for: Origin("https://a.test")!)?.host == "tls.test")
        #expect(routes.proxy(for: Origin("http://a.test")!)?.host == "all.test")
    }

    @Test func httpoxyIgnoresUppercaseHTTPProxyInCGI() {
        #expect(Self.routes(["HTTP_PROXY": "http://evil.test", "REQUEST_METHOD": "GET"]).http == nil)
        #expect(Self.routes(["http_proxy": "http://fine.test", "REQUEST_METHOD": "GET"]).http == "http://fine.test:80")
        #expect(Self.routes(["HTTPS_PROXY": "http://fine.test", "REQUEST_METHOD": "GET"]).https == "http://fine.test:80")
    }

    @Test func emptyLowercaseHidesUppercaseAndNoProxyStarTurnsProxiesOff() {
        #expect(ProxyRoutes.fromEnvironment(["http_proxy": "", "HTTP_PROXY": "http://upper.test"]).routes == nil)
        #expect(ProxyRoutes.fromEnvironment(["http_proxy": "http://p.test", "no_proxy": "*"]).routes == nil)
        #expect(ProxyRoutes.fromEnvironment([:]).routes == nil)
        #expect(ProxyRoutes.fromEnvironment(["PATH": "/usr/bin"]).routes == nil)
    }

    @Test func invalidProxyURLsAreSkippedAndReportedWithoutTheirValue() {
        let (routes, ignored) = ProxyRoutes.fromEnvironment([
            "http_proxy": "ftp://user:secret@p.test", "HTTPS_PROXY": "http://p.test:99999", "all_proxy": "http://good.test:3128",
        ])
        #expect(ignored.map(\.name).sorted() == ["HTTPS_PROXY", "http_proxy"])
        #expect(!ignored.contains { $0.reason.contains("secret") })
        #expect(routes?.http == nil)
        #expect(routes?.all?.host == "good.test")
    }

    @Test func processEnvironmentIsRead() {
        #expect(ProxyRoutes.processEnvironment["PATH"] != nil)
    }

    static func exchange(_ target: String, host: String, _ body: String) -> [MockStep] {
        [
            .write("GET \(target) HTTP/1.1\r\nHost: \(host)\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"),
        ]
    }

    /// A proxy and a direct route (the scheme's own proxy winning over `all`): each
    /// origin's connection goes where its route says, and is reused only by that origin.
    @Test func originsTakeTheirOwnRoutesAndNeverShareConnections() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy-a.test", port: 3128, script:
            Self.exchange("http://a.test/1", host: "a.test", "a1") + Self.exchange("http://a.test/2", host: "a.test", "a2"))
        backend.expectConnect(host: "direct.internal", port: 8080, script:
            Self.exchange("/1", host: "direct.internal:8080", "d1") + Self.exchange("/2", host: "direct.internal:8080", "d2"))
        // The same host on another port is not in NO_PROXY: through the proxy.
        backend.expectConnect(host: "proxy-a.test", port: 3128, script: Self.exchange("http://direct.internal/1", host: "direct.internal", "p1"))
        var configuration = ConnectionPool.Configuration()
        configuration.proxyRoutes = ProxyRoutes(
            http: try Proxy(url: "http://proxy-a.test:3128"), all: try Proxy(url: "socks5h://proxy-b.test"),
            noProxy: NoProxy("direct.internal:8080")
        )
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            var bodies: [String] = []
            for url in ["http://a.test/1", "http://direct.internal:8080/1", "http://a.test/2", "http://direct.internal:8080/2", "http://direct.internal/1"] {
                bodies.append(try await ProxyMockTests.text(try await pool.send(try ProxyMockTests.request(url))))
            }
            #expect(bodies == ["a1", "d1", "a2", "d2", "p1"])
            #expect(pool.connections.count == 3)
        }
        #expect(backend.connectRecords.map { "\($0.host):\($0.port)" } == ["proxy-a.test:3128", "direct.internal:8080", "proxy-a.test:3128"])
        #expect(backend.failures.isEmpty)
    }
}
