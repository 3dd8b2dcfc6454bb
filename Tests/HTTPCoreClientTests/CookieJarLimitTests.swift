import HTTPCore
import HTTPCoreClient
import Testing

/// What a hostile server can make a jar hold: one cookie's size, cookies per domain and in
/// all, each at the limit and one past it; eviction takes expired cookies first, then the
/// least recently used.
@Suite struct CookieJarLimitTests {
    @Test(arguments: [(4096, true), (4097, false)])
    func aCookieOverTheSizeLimitIsRefused(_ size: Int, _ stored: Bool) {
        let harness = CookieJarHarness()
        let value = String(repeating: "v", count: size - 4)
        harness.set("http://example.com/", "name=" + value)
        #expect(harness.jar.cookies.count == (stored ? 1 : 0))
    }

    @Test func theSizeLimitIsConfigurable() {
        var limits = CookieJar.Limits()
        limits.maxCookieSize = 8
        let harness = CookieJarHarness(limits: limits)
        harness.set("http://example.com/", "a=1234567", "b=12345678")
        #expect(harness.jar.cookieHeader(for: "http://example.com/") == "a=1234567")
    }

    @Test(arguments: [50, 51])
    func aDomainKeepsFiftyCookiesDroppingTheOldest(_ stored: Int) {
        let harness = CookieJarHarness()
        for index in 0..<stored {
            harness.set("http://example.com/", "c\(index)=1")
            harness.advance(seconds: 1)
        }
        let names = harness.jar.cookies.map(\.name)
        #expect(names.count == 50)
        #expect(names.first == (stored == 50 ? "c0" : "c1"))
        #expect(names.last == "c\(stored - 1)")
    }

    @Test func aCookieSentRecentlyOutlivesAnOlderUnusedOne() {
        let harness = CookieJarHarness()
        for index in 0..<50 {
            harness.set("http://example.com/", "c\(index)=1; Path=/p\(index)")
            harness.advance(seconds: 1)
        }
        #expect(harness.jar.cookieHeader(for: "http://example.com/p0") == "c0=1")
        harness.set("http://example.com/", "new=1")
        let names = harness.jar.cookies.map(\.name)
        #expect(names.count == 50)
        #expect(names.contains("c0") && !names.contains("c1") && names.contains("new"))
    }

    @Test func expiredCookiesAreEvictedBeforeLiveOnes() {
        let harness = CookieJarHarness()
        for index in 0..<49 { harness.set("http://example.com/", "c\(index)=1") }
        harness.set("http://example.com/", "short=1; Max-Age=1")
        harness.advance(seconds: 2)
        harness.set("http://example.com/", "new=1")
        let names = harness.jar.cookies.map(\.name)
        #expect(names.count == 50)
        #expect(names.first == "c0" && !names.contains("short"))
    }

    @Test func domainsCountSeparately() {
        let harness = CookieJarHarness()
        for index in 0..<50 {
            harness.set("http://www.example.com/", "host\(index)=1", "parent\(index)=1; Domain=example.com")
        }
        #expect(harness.jar.cookies.count == 100)
        #expect(harness.jar.cookies(for: "http://www.example.com/").count == 100)
    }

    @Test(arguments: [3000, 3001])
    func theJarKeepsThreeThousandCookiesDroppingTheOldest(_ stored: Int) {
        let harness = CookieJarHarness()
        for index in 0..<stored {
            harness.set("http://d\(index / 50).example/", "c\(index)=1")
        }
        let names = Set(harness.jar.cookies.map(\.name))
        #expect(names.count == 3000)
        #expect(names.contains("c0") == (stored == 3000))
        #expect(names.contains("c\(stored - 1)"))
    }

    @Test func theTotalLimitIsConfigurable() {
        var limits = CookieJar.Limits()
        limits.maxCookies = 2
        let harness = CookieJarHarness(limits: limits)
        harness.set("http://a.example/", "a=1")
        harness.set("http://b.example/", "b=1")
        harness.set("http://c.example/", "c=1")
        #expect(harness.jar.cookies.map(\.name) == ["b", "c"])
    }
}
