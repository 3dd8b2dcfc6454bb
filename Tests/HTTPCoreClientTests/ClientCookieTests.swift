import HTTPCore
import HTTPCoreClient
import HTTPTypes
import Testing

/// The jar through the client: stored from every response, sent where it matches, never
/// to another origin, recomputed at each redirect hop.
@Suite struct ClientCookieTests {
    /// Answers by URL (or by "URL|Cookie" first, for a page that answers differently once
    /// a cookie is set) with a status, a Location and Set-Cookie lines; records every request.
    final class Site: Sendable {
        let routes: [String: (status: Int, location: String?, setCookies: [String])]
        private let seen = Locked<[(url: String, cookie: String?)]>([])

        init(_ routes: [String: (status: Int, location: String?, setCookies: [String])]) { self.routes = routes }

        var requests: [(url: String, cookie: String?)] { seen.withLock { $0 } }

        var transport: ClosureTransport {
            ClosureTransport { [routes, seen] request in
                let url = "\(request.head.scheme!)://\(request.head.authority!)\(request.head.path!)"
                seen.withLock { $0.append((url, request.head.headerFields[.cookie])) }
                let route = routes[url + "|" + (request.head.headerFields[.cookie] ?? "")] ?? routes[url] ?? (200, nil, [])
                var fields = HTTPFields()
                if let location = route.location { fields[.location] = location }
                for line in route.setCookies { fields.append(HTTPField(name: .setCookie, value: line)) }
                return Response(head: HTTPResponse(status: .init(code: route.status), headerFields: fields), body: .empty, version: .http1_1)
            }
        }

        func client(_ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.transport = transport
            configure(&configuration)
            return try HTTPClient(configuration: configuration)
        }
    }

    @Test func aCookieSetByOneResponseGoesBackToItsOriginOnly() async throws {
        let site = Site(["https://a.test/login": (200, nil, ["sid=s1; Path=/; Secure; HttpOnly"])])
        let client = try site.client()
        _ = try await client.get("https://a.test/login")
        _ = try await client.get("https://a.test/account")
        _ = try await client.get("http://a.test/account")      // Secure: not over http
        _ = try await client.get("https://b.test/account")
        #expect(site.requests.map(\.cookie) == [nil, "sid=s1", nil, nil])
        #expect(client.cookies?.cookies.map(\.name) == ["sid"])
    }

    @Test func cookiesSetOnARedirectHopAreSentOnTheNextAndTheChainIsNotALoop() async throws {
        let site = Site([
            "https://a.test/start": (302, "/login", []),
            "https://a.test/start|auth=ok": (200, nil, []),
            "https://a.test/login": (302, "/start", ["auth=ok; Path=/"]),
        ])
        // /start without the cookie redirects to /login, which sets it and sends us back:
        // the second /start carries a cookie, so it is not the same request again.
        let client = try site.client()
        let response = try await client.get("https://a.test/start")
        #expect(response.history.count == 2)
        #expect(site.requests.map(\.cookie) == [nil, nil, "auth=ok"])
    }

    @Test func aCrossOriginHopGetsTheJarsCookiesForItsOwnOriginOnly() async throws {
        let site = Site(["https://a.test/go": (302, "https://b.test/land", [])])
        let jar = CookieJar()
        jar.store(setCookies: ["a=1"], from: "https://a.test/")
        jar.store(setCookies: ["b=2"], from: "https://b.test/")
        let client = try site.client { $0.cookieJar = jar }
        _ = try await client.request(.get, "https://a.test/go", headers: ["Cookie": "canary=1"], cookies: ["extra": "x"])
        #expect(site.requests.map(\.cookie) == ["canary=1", "b=2"])
        _ = try await client.request(.get, "https://a.test/go", cookies: ["extra": "x"])
        #expect(site.requests.suffix(2).map(\.cookie) == ["a=1; extra=x", "b=2"])
    }

    @Test func oneJarServesTwoClientsAndNoJarStoresNothing() async throws {
        let site = Site(["https://a.test/set": (200, nil, ["shared=yes"])])
        let jar = CookieJar()
        let first = try site.client { $0.cookieJar = jar }
        let second = try site.client { $0.cookieJar = jar }
        _ = try await first.get("https://a.test/set")
        _ = try await second.get("https://a.test/other")
        #expect(site.requests.last?.cookie == "shared=yes")

        let none = try site.client { $0.storesCookies = false }
        #expect(none.cookies == nil)
        _ = try await none.get("https://a.test/set")
        _ = try await none.request(.get, "https://a.test/other", cookies: ["own": "1"])
        #expect(site.requests.suffix(2).map(\.cookie) == [nil, "own=1"])
        await #expect(throws: HTTPCoreError.self) { try await none.request(.get, "https://a.test/", cookies: ["bad": "a\r\nX-Evil: 1"]) }
    }
}
