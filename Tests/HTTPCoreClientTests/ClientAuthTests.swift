import HTTPCore
@testable import HTTPCoreClient
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// Authentication through the client: Basic (RFC 7617), Bearer, Digest (RFC 7616) with its
/// 401 round trip, credentials from the URL's userinfo, and canaries that must not reach
/// another origin or any description.
@Suite struct ClientAuthTests {
    // MARK: - Basic and Bearer

    @Test(arguments: [
        ("Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), // RFC 7617 §2
        ("test", "123\u{A3}", "Basic dGVzdDoxMjPCow=="), // RFC 7617 §2.1, UTF-8
        ("", "", "Basic Og=="),
    ])
    func basicFieldValue(user: String, password: String, expected: String) async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        _ = try await client.request(.get, "https://a.test/", auth: .basic(user, password))
        #expect(recorder.last?.head.headerFields[.authorization] == expected)
    }

    @Test func bearerFromTheConfigurationAndPerRequestOverride() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client { $0.auth = .bearer("t0ken") }
        _ = try await client.get("https://a.test/")
        #expect(recorder.last?.head.headerFields[.authorization] == "Bearer t0ken")
        _ = try await client.request(.get, "https://a.test/", auth: .basic("u", "p"))
        #expect(recorder.last?.head.headerFields[.authorization] == "Basic dTpw")
        #expect(recorder.last?.head.headerFields[values: .authorization].count == 1)
    }

    @Test func descriptionsNeverShowCredentials() throws {
        var configuration = HTTPClient.Configuration()
        let auths: [any ClientAuth] = [BasicAuth(user: "canary-user", password: "canary-pass"), BearerAuth(token: "canary-token"), DigestAuth(user: "canary-user", password: "canary-pass")]
        for auth in auths {
            configuration.auth = auth
            var dumped = ""
            dump(configuration, to: &dumped)
            for text in [String(describing: auth), String(reflecting: auth), dumped] {
                #expect(!text.contains("canary"), "\(text)")
            }
        }
    }

    // MARK: - Digest values (RFC 7616 §3.9.1)

    static let rfcCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

    static func rfcChallenge(_ algorithm: String) -> HTTPFields {
        [.wwwAuthenticate: """
            Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=\(algorithm), \
            nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
            """]
    }

    /// The RFC's expected responses. Its printed MD5 value ends `...eebdec1`: a
    /// transposition in the RFC text; `...eebdbec` is what MD5 gives (checked with
    /// Python's hashlib) and what servers compute.
    @Test(arguments: [
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
    ])
    func digestMatchesRFC7616Example(algorithm: String, expected: String) throws {
        let auth = DigestAuth(user: "Mufasa", password: "Circle of Life") { Self.rfcCnonce }
        var request = ClientAuthRequest(method: .get, url: "http://www.example.org/dir/index.html", target: "/dir/index.html")
        try auth.authorize(&request)
        #expect(request.headerFields[.authorization] == nil, "nothing to answer before a challenge")
        let retry = try auth.retry(&request, after: ClientAuthResponse(status: 401, headerFields: Self.rfcChallenge(algorithm)), round: 0)
        #expect(retry)
        let value = try #require(request.headerFields[.authorization])
        let params = try #require(AuthChallenge.parse(value).first).parameters
        #expect(params["response"] == expected)
        #expect(params["username"] == "Mufasa")
        #expect(params["uri"] == "/dir/index.html")
        #expect(params["nc"] == "00000001")
        #expect(params["cnonce"] == Self.rfcCnonce)
        #expect(params["qop"] == "auth")
        #expect(params["algorithm"] == algorithm)
        #expect(params["opaque"] == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")

        // The next request of the same client answers the same nonce at once, nc 2.
        var next = ClientAuthRequest(method: .get, url: "http://www.example.org/dir/index.html", target: "/dir/index.html")
        try auth.authorize(&next)
        let nextValue = try #require(next.headerFields[.authorization])
        let nextParams = try #require(AuthChallenge.parse(nextValue).first).parameters
        #expect(nextParams["nc"] == "00000002")
        #expect(nextParams["response"] != expected)

        // Never preemptively to another origin (the client's auth may serve several).
        for url in ["https://www.example.org/dir/index.html", "http://www.example.org:8080/", "http://evil.test/dir/index.html"] {
            var elsewhere = ClientAuthRequest(method: .get, url: url, target: "/dir/index.html")
            try auth.authorize(&elsewhere)
            #expect(elsewhere.headerFields[.authorization] == nil, "\(url)")
        }
    }

    @Test func digestRetriesAStaleNonceOnceMoreButNotWrongCredentials() throws {
        let auth = DigestAuth(user: "u", password: "p") { "c" }
        var request = ClientAuthRequest(method: .get, url: "http://a.test/", target: "/")
        let first: HTTPFields = [.wwwAuthenticate: #"Digest realm="r", nonce="n1", qop="auth""#]
        #expect(try auth.retry(&request, after: ClientAuthResponse(status: 401, headerFields: first), round: 0))
        #expect(try !auth.retry(&request, after: ClientAuthResponse(status: 401, headerFields: first), round: 1))
        let stale: HTTPFields = [.wwwAuthenticate: #"Digest realm="r", nonce="n2", qop="auth", stale=TRUE"#]
        #expect(try auth.retry(&request, after: ClientAuthResponse(status: 401, headerFields: stale), round: 1))
        #expect(request.headerFields[.authorization]?.contains(#"nonce="n2""#) == true)
        #expect(try !auth.retry(&request, after: ClientAuthResponse(status: 200, headerFields: first), round: 0))
        let intOnly: HTTPFields = [.wwwAuthenticate: #"Digest realm="r", nonce="n3", qop="auth-int""#]
        #expect(try !auth.retry(&request, after: ClientAuthResponse(status: 401, headerFields: intOnly), round: 0))
    }

    // MARK: - Challenge parsing (RFC 7235 §2.1, §4.1)

    @Test func challengesWithQuotedCommasAndEscapes() {
        let parsed = AuthChallenge.parse(#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#)
        #expect(parsed == [
            AuthChallenge(scheme: "newauth", parameters: ["realm": "apps", "type": "1", "title": #"Login to "apps""#]),
            AuthChallenge(scheme: "basic", parameters: ["realm": "simple"]),
        ])
        let digest = AuthChallenge.parse(#"DIGEST Realm = "a, b=c", qop="auth,auth-int" ,nonce="x\\y\"z",, Bearer"#)
        #expect(digest == [
            AuthChallenge(scheme: "digest", parameters: ["realm": "a, b=c", "qop": "auth,auth-int", "nonce": #"x\y"z"#]),
            AuthChallenge(scheme: "bearer"),
        ])
        #expect(AuthChallenge.parse("Negotiate abc/def+g==, Basic realm=x") == [
            AuthChallenge(scheme: "negotiate", token68: "abc/def+g=="),
            AuthChallenge(scheme: "basic", parameters: ["realm": "x"]),
        ])
        #expect(AuthChallenge.parse(fields: [#"Basic realm="a""#, #"Digest realm="b", nonce="n""#]).map(\.scheme) == ["basic", "digest"])
        #expect(AuthChallenge.parse(#"Digest realm="unterminated"#).first?.parameters["realm"] == nil)
    }

    // MARK: - The 401 round trip through the client

    /// 401 with a Digest challenge until a request carries Digest credentials.
    static func digestTransport(_ seen: Locked<[(fields: HTTPFields, body: [UInt8])]>) -> ClosureTransport {
        ClosureTransport { request in
            var body: [UInt8] = []
            let source = request.body.makeChunkSource()
            while let chunk = try await source.next() { body += chunk }
            seen.withLock { $0.append((request.head.headerFields, body)) }
            if request.head.headerFields[.authorization]?.hasPrefix("Digest ") == true {
                return Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array("in".utf8)), version: .http1_1)
            }
            return Response(
                head: HTTPResponse(status: .unauthorized, headerFields: [.wwwAuthenticate: #"Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256"#]),
                body: ResponseBody(bytes: Array("who?".utf8)), version: .http1_1
            )
        }
    }

    @Test func digestRetryReplaysTheBody() async throws {
        let seen = Locked<[(fields: HTTPFields, body: [UInt8])]>([])
        var configuration = HTTPClient.Configuration()
        configuration.transport = Self.digestTransport(seen)
        let client = try HTTPClient(configuration: configuration)
        let response = try await client.request(.post, "https://a.test/upload", body: .string("payload"), auth: .digest("u", "p"))
        #expect(response.status == .ok)
        let requests = seen.value
        #expect(requests.count == 2)
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["payload", "payload"])
        #expect(requests.first?.fields[.authorization] == nil)
        #expect(requests.last?.fields[.authorization]?.contains(#"uri="/upload""#) == true)
    }

    @Test func aStreamBodyIsRefusedTypedNotSentEmpty() async throws {
        let seen = Locked<[(fields: HTTPFields, body: [UInt8])]>([])
        var configuration = HTTPClient.Configuration()
        configuration.transport = Self.digestTransport(seen)
        configuration.auth = .digest("u", "p")
        let client = try HTTPClient(configuration: configuration)
        let chunks = AsyncStream<[UInt8]> { continuation in
            continuation.yield(Array("once".utf8))
            continuation.finish()
        }
        let error = await #expect(throws: HTTPCoreError.self) {
            try await client.request(.post, "https://a.test/upload", body: .stream(chunks))
        }
        #expect(error?.code == .bodyNotReplayable)
        #expect(seen.value.count == 1)
    }

    // MARK: - Credentials in the URL, and other origins

    @Test func userinfoBecomesBasicAndNeverLeavesTheOrigin() async throws {
        let origins = ClientRedirectTests.Origins(["https://a.test/x": (302, "https://b.test/y")])
        let client = try origins.client()
        let response = try await client.get("https://canary%40user:can%3Aary@a.test/x")
        #expect(response.url == "https://b.test/y")
        let requests = origins.requests
        #expect(requests.map(\.url) == ["https://a.test/x", "https://b.test/y"])
        #expect(requests.first?.head.headerFields[.authorization] == "Basic " + Base64.encode(Array("canary@user:can:ary".utf8)))
        #expect(requests.first?.head.authority == "a.test")
        #expect(requests.last?.head.headerFields[.authorization] == nil)
    }

    @Test(arguments: [
        ["https://a.test/1": (302, "https://b.test/2")],
        ["https://a.test/1": (302, "https://b.test/2"), "https://b.test/2": (302, "https://a.test/3")],
        ["https://a.test/1": (307, "http://a.test/1")],
    ])
    func configuredAuthIsNotAddedBackAfterAHopToAnotherOrigin(routes: [String: (Int, String?)]) async throws {
        for auth in [BearerAuth(token: "canary") as any ClientAuth, BasicAuth(user: "canary", password: "canary")] {
            let origins = ClientRedirectTests.Origins(routes)
            let client = try origins.client { $0.auth = auth }
            _ = try await client.get("https://a.test/1")
            #expect(origins.requests.count == routes.count + 1)
            #expect(origins.requests.first?.head.headerFields[.authorization] != nil)
            #expect(origins.requests.dropFirst().allSatisfy { $0.head.headerFields[.authorization] == nil })
        }
    }

    @Test func sameOriginRedirectKeepsTheAuth() async throws {
        let origins = ClientRedirectTests.Origins(["https://a.test/1": (302, "/2")])
        let client = try origins.client()
        _ = try await client.request(.get, "https://a.test/1", auth: .bearer("t"))
        #expect(origins.requests.map { $0.head.headerFields[.authorization] } == ["Bearer t", "Bearer t"])
    }

    // MARK: - A real Digest server (Python's standard library) on 127.0.0.1

    @Test(arguments: ["md5", "sha256", "md5-sess", "sha256-sess"])
    func digestAgainstARealServer(path: String) async throws {
        let server = try await DigestAuthServer.start()
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/\(path)"
        try await withHTTPClient { client in
            let anonymous = try await client.get(url)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Digest ") == true)
        }
        var configuration = HTTPClient.Configuration()
        configuration.auth = .digest(DigestAuthServer.user, DigestAuthServer.password)
        try await withHTTPClient(configuration) { client in
            let first = try await client.post(url, body: .string("replayed"))
            #expect(first.status == .ok, "\(server.log)")
            #expect(first.text().hasSuffix(" 00000001\nreplayed"))
            // The same nonce again: answered at once with the next nonce count.
            let second = try await client.get(url)
            #expect(second.status == .ok, "\(server.log)")
            #expect(second.text().hasSuffix(" 00000002\n"))
        }
        try await withHTTPClient { client in
            let wrong = try await client.request(.get, url, auth: .digest(DigestAuthServer.user, "wrong"))
            #expect(wrong.status == .unauthorized)
        }
    }
}
