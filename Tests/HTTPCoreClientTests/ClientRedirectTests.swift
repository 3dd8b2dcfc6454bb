import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPCorePool
import HTTPTypes
import Testing

/// Redirects through the client: method and body rules, and canary credentials that must
/// never reach another origin (RFC 9110 §15.4; the credential leaks of curl, requests and
/// urllib3 as cases).
@Suite struct ClientRedirectTests {
    /// Several origins behind one transport: each URL answers from `routes` (status and
    /// Location, or 200 "final"), and every request is recorded with its origin.
    final class Origins: Sendable {
        let routes: [String: (Int, String?)]
        private let seen = Locked<[(url: String, head: HTTPRequest, body: [UInt8])]>([])

        init(_ routes: [String: (Int, String?)]) { self.routes = routes }

        var requests: [(url: String, head: HTTPRequest, body: [UInt8])] { seen.withLock { $0 } }

        func client(_ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.transport = ClosureTransport { [routes, seen] request in
                let url = "\(request.head.scheme!)://\(request.head.authority!)\(request.head.path!)"
                var body: [UInt8] = []
                let source = request.body.makeChunkSource()
                while let chunk = try await source.next() { body += chunk }
                seen.withLock { $0.append((url, request.head, body)) }
                guard let (status, location) = routes[url] else {
                    return Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array("final".utf8)), version: .http1_1)
                }
                var fields = HTTPFields()
                if let location { fields[.location] = location }
                return Response(head: HTTPResponse(status: .init(code: status), headerFields: fields), body: ResponseBody(bytes: Array("hop \(status)".utf8)), version: .http1_1)
            }
            configure(&configuration)
            return try HTTPClient(configuration: configuration)
        }

        /// Requests that carried any canary, by URL.
        var leaks: [String] {
            requests.filter { request in
                request.head.headerFields.contains { $0.value.contains("canary") }
            }.map(\.url)
        }
    }

    static let canaries: NameValuePairs = [
        "Authorization": "Bearer canary-token", "Cookie": "session=canary", "Proxy-Authorization": "Basic canary", "X-Keep": "kept",
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let start: String
        let routes: [String: (Int, String?)]
        /// URLs the canaries may reach (same origin as the start).
        let allowed: Set<String>
        let finalURL: String
        var testDescription: String { name }
    }

    static let crossOriginCases: [Case] = [
        Case(name: "302 to another host", start: "https://a.test/x", routes: ["https://a.test/x": (302, "https://b.test/y")],
             allowed: ["https://a.test/x"], finalURL: "https://b.test/y"),
        Case(name: "301 to another host", start: "https://a.test/x", routes: ["https://a.test/x": (301, "https://evil.test/")],
             allowed: ["https://a.test/x"], finalURL: "https://evil.test/"),
        Case(name: "https to http, same host", start: "https://a.test/x", routes: ["https://a.test/x": (302, "http://a.test/x")],
             allowed: ["https://a.test/x"], finalURL: "http://a.test/x"),
        Case(name: "another port, same host", start: "https://a.test/x", routes: ["https://a.test/x": (307, "https://a.test:8443/x")],
             allowed: ["https://a.test/x"], finalURL: "https://a.test:8443/x"),
        Case(name: "scheme-relative Location", start: "https://a.test/x", routes: ["https://a.test/x": (302, "//b.test/p")],
             allowed: ["https://a.test/x"], finalURL: "https://b.test/p"),
        Case(name: "a chain of three origins", start: "https://a.test/1",
             routes: ["https://a.test/1": (302, "https://b.test/2"), "https://b.test/2": (302, "https://c.test/3")],
             allowed: ["https://a.test/1"], finalURL: "https://c.test/3"),
        Case(name: "away and back: the credentials stay dropped", start: "https://a.test/1",
             routes: ["https://a.test/1": (302, "https://b.test/2"), "https://b.test/2": (302, "https://a.test/3")],
             allowed: ["https://a.test/1"], finalURL: "https://a.test/3"),
        Case(name: "same origin, relative path", start: "https://a.test/dir/x", routes: ["https://a.test/dir/x": (302, "../y?q=1#frag")],
             allowed: ["https://a.test/dir/x", "https://a.test/y?q=1"], finalURL: "https://a.test/y?q=1"),
        Case(name: "same origin, 308 keeps them", start: "https://a.test/x", routes: ["https://a.test/x": (308, "/z")],
             allowed: ["https://a.test/x", "https://a.test/z"], finalURL: "https://a.test/z"),
        Case(name: "host case and default port are the same origin", start: "https://a.test/x", routes: ["https://a.test/x": (302, "HTTPS://a.test:443/w")],
             allowed: ["https://a.test/x", "https://a.test/w"], finalURL: "https://a.test/w"),
    ]

    @Test(arguments: crossOriginCases)
    func credentialsNeverReachAnotherOrigin(_ testCase: Case) async throws {
        let origins = Origins(testCase.routes)
        let client = try origins.client()
        let response = try await client.get(testCase.start, headers: Self.canaries)
        #expect(response.url == testCase.finalURL)
        #expect(response.text() == "final")
        #expect(response.history.count == origins.requests.count - 1)
        #expect(Set(origins.leaks).isSubset(of: testCase.allowed), "canaries reached \(origins.leaks)")
        // What is not a credential goes everywhere.
        #expect(origins.requests.allSatisfy { $0.head.headerFields[HTTPField.Name("X-Keep")!] == "kept" })
    }

    @Test func credentialsFromTheClientsDefaultsAreDroppedToo() async throws {
        let origins = Origins(["https://a.test/x": (302, "https://b.test/y")])
        let client = try origins.client { $0.headers = [("Authorization", "Bearer canary-default")] }
        _ = try await client.get("https://a.test/x")
        #expect(origins.leaks == ["https://a.test/x"])
    }

    @Test func methodAndBodyRules() async throws {
        let origins = Origins([
            "https://a.test/303": (303, "/after303"), "https://a.test/302": (302, "/after302"),
            "https://a.test/307": (307, "/after307"), "https://a.test/301put": (301, "/after301put"),
        ])
        let client = try origins.client()
        _ = try await client.post("https://a.test/303", json: ["a": 1])
        _ = try await client.post("https://a.test/302", body: .form(["a": "1"]))
        _ = try await client.post("https://a.test/307", body: .string("again"))
        _ = try await client.put("https://a.test/301put", body: .string("put"))
        _ = try await client.head("https://a.test/303")
        let seen = origins.requests.map { ($0.head.method.rawValue, $0.url, String(decoding: $0.body, as: UTF8.self), $0.head.headerFields[.contentType]) }
        #expect(seen.map(\.0) == ["POST", "GET", "POST", "GET", "POST", "POST", "PUT", "PUT", "HEAD", "HEAD"])
        #expect(seen.map(\.2) == [#"{"a":1}"#, "", "a=1", "", "again", "again", "put", "put", "", ""])
        #expect(seen[1].3 == nil && seen[3].3 == nil) // no Content-Type without a body
    }

    @Test func aStreamBodyCannotBeReplayedBy307() async throws {
        let origins = Origins(["https://a.test/up": (307, "/elsewhere")])
        let client = try origins.client()
        let chunks = AsyncStream<[UInt8]> { $0.yield([1, 2]); $0.finish() }
        let error = await #expect(throws: HTTPCoreError.self) { try await client.post("https://a.test/up", body: .stream(chunks)) }
        #expect(error?.code == .bodyNotReplayable)
        #expect(origins.requests.count == 1)
    }

    @Test func aFileBodyIsReplayedBy308() async throws {
        let path = FileManagerless.temporaryFile(contents: "from disk")
        defer { FileManagerless.remove(path) }
        let origins = Origins(["https://a.test/up": (308, "/moved")])
        let client = try origins.client()
        _ = try await client.put("https://a.test/up", body: .file(path))
        #expect(origins.requests.map { String(decoding: $0.body, as: UTF8.self) } == ["from disk", "from disk"])
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let location: String
        let code: HTTPCoreError.Code
        var testDescription: String { name }
    }

    @Test(arguments: [
        Refusal(name: "ftp", location: "ftp://a.test/file", code: .invalidRedirect),
        Refusal(name: "javascript", location: "javascript:alert(1)", code: .invalidRedirect),
        Refusal(name: "data", location: "data:text/html,hi", code: .invalidRedirect),
        Refusal(name: "a space in the host", location: "https://ev il.test/", code: .invalidRedirect),
        Refusal(name: "credentials in the Location", location: "https://user:canary@b.test/", code: .invalidRedirect),
        Refusal(name: "an unclosed IPv6 literal", location: "http://[::1/x", code: .invalidRedirect),
        Refusal(name: "a bad port", location: "https://a.test:99999/", code: .invalidRedirect),
        Refusal(name: "an empty Location", location: "", code: .invalidRedirect),
        Refusal(name: "a backslash host", location: "https://b.test\\@a.test/", code: .invalidRedirect),
    ])
    func malformedOrForeignLocationsAreNotFollowed(_ refusal: Refusal) async throws {
        let origins = Origins(["https://a.test/x": (302, refusal.location)])
        let client = try origins.client()
        let error = await #expect(throws: HTTPCoreError.self) { try await client.get("https://a.test/x", headers: Self.canaries) }
        #expect(error?.code == refusal.code)
        #expect(origins.requests.count == 1)
    }

    /// A query-only Location is escaped like any other: a raw space would split the request
    /// line (the redirects fuzz target found it, with non-ASCII bytes).
    @Test func aQueryOnlyLocationIsPercentEncoded() async throws {
        let origins = Origins(["https://a.test/x?old": (302, "?a b\u{e9}")])
        let client = try origins.client()
        _ = try await client.get("https://a.test/x?old")
        #expect(origins.requests.map(\.url) == ["https://a.test/x?old", "https://a.test/x?a%20b%C3%A9"])
    }

    @Test func loopsAndTheLimitAreTypedErrors() async throws {
        let loop = Origins(["https://a.test/1": (302, "https://b.test/2"), "https://b.test/2": (302, "https://a.test/1")])
        let looping = await #expect(throws: HTTPCoreError.self) { try await loop.client().get("https://a.test/1") }
        #expect(looping?.code == .redirectLoop)
        #expect(loop.requests.count == 2)

        var routes: [String: (Int, String?)] = [:]
        for hop in 0..<10 { routes["https://a.test/\(hop)"] = (302, "/\(hop + 1)") }
        let long = Origins(routes)
        let limited = await #expect(throws: HTTPCoreError.self) {
            try await long.client { $0.redirects = RedirectPolicy(maxRedirects: 3) }.get("https://a.test/0")
        }
        #expect(limited?.code == .tooManyRedirects)
        #expect(long.requests.count == 4)
        // Within the limit, the chain is followed and recorded.
        let followed = try await long.client().get("https://a.test/0")
        #expect(followed.history.map(\.statusCode) == Array(repeating: 302, count: 10))
        #expect(followed.history.first?.text() == "hop 302")
        #expect(followed.url == "https://a.test/10")
    }

    @Test func redirectsCanBeTurnedOffPerClientAndPerRequest() async throws {
        let origins = Origins(["https://a.test/x": (302, "https://b.test/y")])
        let off = try await origins.client { $0.redirects = .off }.get("https://a.test/x")
        #expect(off.statusCode == 302 && off.headers[.location] == "https://b.test/y")
        let client = try origins.client()
        let once = try await client.request(.get, "https://a.test/x", redirects: .off)
        #expect(once.statusCode == 302)
        #expect(origins.requests.count == 2)
        // A redirect status without a Location is an answer, not a hop.
        let bare = try await Origins(["https://a.test/x": (301, nil)]).client().get("https://a.test/x")
        #expect(bare.statusCode == 301 && bare.history.isEmpty)
    }

    @Test func theTotalDeadlineSpansTheChain() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET /1 HTTP/1.1\r\nHost: a.test\r\nUser-Agent: swift-httpcore/0.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n"),
            .delay(.seconds(2)),
            .read("HTTP/1.1 302 Found\r\nLocation: /2\r\nContent-Length: 0\r\n\r\n"),
            .write("GET /2 HTTP/1.1\r\nHost: a.test\r\nUser-Agent: swift-httpcore/0.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n"),
        ])
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.timeouts = Timeouts(connect: .seconds(30), read: .seconds(30), write: .seconds(30), pool: .seconds(30), total: .seconds(3))
        let client = try HTTPClient(configuration: configuration)
        let done = Locked(false)
        let request = Task {
            defer { done.withLock { $0 = true } }
            return try await client.get("http://a.test/1")
        }
        let clock = backend.manualClock
        try await clock.waitForTimers(2)
        clock.advance(by: .seconds(2))
        await waitUntilScriptEnds(backend)
        clock.advance(by: .milliseconds(999))
        for _ in 0..<200 { await Task.yield() }
        #expect(!done.withLock { $0 })
        clock.advance(by: .milliseconds(1))
        #expect((await request.result.failure as? HTTPCoreError)?.code == .totalTimeout)
        #expect(backend.failures.isEmpty)
        await client.shutdown()
    }

    private func waitUntilScriptEnds(_ backend: MockNetworkBackend) async {
        for _ in 0..<100_000 where backend.streams.first?.isComplete != true { await Task.yield() }
    }
}

/// A redirect chain through a forward proxy: the proxy gets the pool's own login on every
/// hop, and the request's canaries stop at the first origin.
@Suite struct ClientRedirectThroughProxyTests {
    @Test func canariesDoNotFollowACrossOriginHopThroughAProxy() async throws {
        let backend = MockNetworkBackend()
        // Connections are kept per origin, so each hop opens its own to the proxy.
        backend.expectConnect(host: "proxy.test", port: 3128, script: [
            .writePrefix("GET http://a.test/x HTTP/1.1\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: http://b.test/y\r\nContent-Length: 0\r\n\r\n"),
        ])
        backend.expectConnect(host: "proxy.test", port: 3128, script: [
            .writePrefix("GET http://b.test/y HTTP/1.1\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.proxy = try Proxy(url: "http://puser:ppass@proxy.test:3128")
        let client = try HTTPClient(configuration: configuration)
        let response = try await client.get("http://a.test/x", headers: ["Authorization": "Bearer canary-a", "Cookie": "c=canary-b", "Proxy-Authorization": "Basic canary-c"])
        #expect(response.text() == "ok")
        let written = String(decoding: backend.streams.flatMap(\.written), as: UTF8.self)
        let hops = written.split(separator: "GET http://")
        #expect(hops.count == 2)
        #expect(hops.first?.contains("canary-a") == true) // the first origin gets what it was given
        #expect(hops.last?.contains("canary") == false, "\(hops.last ?? "")")
        // The pool's proxy login (base64 of puser:ppass) goes to the proxy on both hops.
        #expect(hops.allSatisfy { $0.contains("Proxy-Authorization: Basic cHVzZXI6cHBhc3M=") || $0.contains("Basic canary-c") })
        #expect(hops.last?.contains("Proxy-Authorization: Basic cHVzZXI6cHBhc3M=") == true)
        await client.shutdown()
    }
}
