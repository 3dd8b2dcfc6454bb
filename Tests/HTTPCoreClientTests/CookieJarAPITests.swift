@testable import HTTPCoreClient
import HTTPCore
import HTTPCoreMock
import HTTPTypes
import Testing

/// The jar as the client and a user see it: request cookies merged into the header, the
/// cookie list, clearing, Set-Cookie fields, the client's URL entry points, sharing.
@Suite struct CookieJarAPITests {
    @Test func requestCookiesGoAfterTheJarsAndReplaceOnesOfTheSameName() throws {
        let harness = CookieJarHarness()
        harness.set("http://example.com/", "a=1", "b=2")
        #expect(try harness.jar.cookieHeader(for: "http://example.com/", adding: ["b": "x", "c": "3"]) == "a=1; b=x; c=3")
        #expect(try harness.jar.cookieHeader(for: "http://other.com/", adding: ["c": "3"]) == "c=3")
        #expect(try harness.jar.cookieHeader(for: "http://other.com/", adding: [:]) == nil)
        #expect(harness.jar.cookieHeader(for: "http://example.com/") == "a=1; b=2")
    }

    @Test(arguments: [("a b", "1"), ("", "1"), ("a;b", "1"), ("a=b", "1"), ("a", "x;y"), ("a", "x\r\nHost: evil"), ("a", "\u{0}")])
    func requestCookiesThatWouldBreakTheFieldAreRefused(_ name: String, _ value: String) {
        let jar = CookieJar(clock: ManualClock())
        #expect(throws: HTTPCoreError.self) { try jar.cookieHeader(for: "http://example.com/", adding: NameValuePairs([(name, value)])) }
    }

    @Test func theCookieListHoldsEachCookiesAttributes() throws {
        let harness = CookieJarHarness()
        harness.advance(seconds: 5)
        harness.set("https://www.example.com/app/page", "sid=1; Domain=example.com; Secure; HttpOnly; Max-Age=60", "pref=dark")
        let cookies = harness.jar.cookies
        #expect(cookies.count == 2)
        let sid = try #require(cookies.first)
        #expect(sid.name == "sid" && sid.value == "1")
        #expect(sid.domain == "example.com" && !sid.hostOnly)
        #expect(sid.path == "/app")
        #expect(sid.secure && sid.httpOnly)
        #expect(sid.created == HTTPInstant(nanoseconds: 5_000_000_000))
        #expect(sid.expires == HTTPInstant(nanoseconds: 65_000_000_000))
        let pref = try #require(cookies.last)
        #expect(pref.domain == "www.example.com" && pref.hostOnly && pref.expires == nil && !pref.secure)
        harness.advance(seconds: 60)
        #expect(harness.jar.cookies.map(\.name) == ["pref"])
    }

    @Test func clearingForgetsEveryCookieOrOneDomainWithItsSubdomains() {
        let harness = CookieJarHarness()
        harness.set("http://example.com/", "a=1")
        harness.set("http://www.example.com/", "b=1", "c=1; Domain=example.com")
        harness.set("http://other.com/", "d=1")
        harness.set("http://notexample.com/", "e=1")
        harness.jar.clear(domain: ".Example.COM")
        #expect(harness.jar.cookies.map(\.name) == ["d", "e"])
        harness.jar.clear()
        #expect(harness.jar.cookies.isEmpty)
        #expect(harness.jar.cookieHeader(for: "http://other.com/") == nil)
    }

    @Test func setCookieFieldsOfAResponseAreStored() {
        let harness = CookieJarHarness()
        var fields = HTTPFields()
        fields.append(HTTPField(name: .setCookie, value: "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT, b=2"))
        fields.append(HTTPField(name: .setCookie, value: "c=3"))
        fields.append(HTTPField(name: .contentType, value: "text/plain"))
        harness.jar.store(fields, from: "http://example.com/")
        // The comma in an Expires date is why Set-Cookie fields are never joined.
        #expect(harness.jar.cookieHeader(for: "http://example.com/") == "c=3")
    }

    @Test func theClientsEntryPointsTakeItsURL() throws {
        let harness = CookieJarHarness()
        let url = try #require(ClientURL(absolute: "https://API.example.com/v1/users?page=2"))
        var fields = HTTPFields()
        fields.append(HTTPField(name: .setCookie, value: "token=t; Secure"))
        harness.jar.store(fields, from: url)
        harness.jar.store(setCookies: ["v=1"], from: url)
        let next = try #require(ClientURL(absolute: "https://api.example.com/v1/items"))
        #expect(try harness.jar.cookieHeader(for: next) == "token=t; v=1")
        #expect(try harness.jar.cookieHeader(for: next, adding: ["v": "2"]) == "token=t; v=2")
        let plain = try #require(ClientURL(absolute: "http://api.example.com/v1/"))
        #expect(try harness.jar.cookieHeader(for: plain) == "v=1")
    }

    @Test func aCookieDescribesItselfSetCookieStyle() {
        let harness = CookieJarHarness()
        harness.set("https://www.example.com/", "a=1; Domain=example.com; Path=/x; Secure; HttpOnly; Max-Age=1", "b=2")
        #expect(harness.jar.cookies.map(\.description) == [
            "a=1; Domain=example.com; Path=/x; Secure; HttpOnly; Expires=t+1.0 seconds",
            "b=2; Domain=www.example.com; HostOnly; Path=/",
        ])
    }

    /// Random bytes from a seeded generator: nothing traps, and the limits hold.
    @Test func randomSetCookieLinesNeverBreakTheJar() {
        var limits = CookieJar.Limits()
        limits.maxCookiesPerDomain = 20
        limits.maxCookies = 60
        let harness = CookieJarHarness(limits: limits)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet = Array("a=; .-/:,0123456789GMTNovDomainPathMax-AgeExpiresSecure\t\u{0}é".utf8)
        let hosts = ["http://a.example/", "https://b.a.example/x/y", "http://[::1]/", "http://10.0.0.1/p", "http://localhost/"]
        for round in 0..<3000 {
            let bytes = (0..<next(80)).map { _ in alphabet[next(alphabet.count)] }
            harness.set(hosts[next(hosts.count)], String(decoding: bytes, as: UTF8.self))
            if round % 100 == 0 { harness.advance(seconds: Int64(next(1000))) }
            for host in hosts { _ = harness.jar.cookieHeader(for: host) }
        }
        let cookies = harness.jar.cookies
        #expect(!cookies.isEmpty && cookies.count <= 60)
        #expect(Dictionary(grouping: cookies, by: \.domain).values.allSatisfy { $0.count <= 20 })
        #expect(cookies.allSatisfy { !$0.name.isEmpty && !$0.name.contains(";") && !$0.value.contains(";") })
    }

    @Test func urlsThatAreNotHttpAreIgnored() {
        let harness = CookieJarHarness()
        harness.set("ftp://example.com/", "a=1")
        harness.set("example.com/", "a=1")
        #expect(harness.jar.cookies.isEmpty)
        #expect(harness.jar.cookieHeader(for: "not a url") == nil)
    }

    @Test func oneJarIsSharedBetweenTasks() async {
        let jar = CookieJar(clock: ManualClock())
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for index in 0..<25 {
                        jar.store(setCookies: ["c\(index)=\(task)"], from: "http://t\(task).example/")
                        _ = jar.cookieHeader(for: "http://t\(task).example/")
                    }
                }
            }
        }
        #expect(jar.cookies.count == 100)
        #expect(jar.cookieHeader(for: "http://t3.example/")?.hasPrefix("c0=3; c1=3") == true)
    }
}
