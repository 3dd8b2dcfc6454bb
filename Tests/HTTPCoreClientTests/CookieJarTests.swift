import HTTPCore
import HTTPCoreClient
import Testing

/// The RFC 6265 rules end to end, one scenario per row: what a server sets, what later
/// requests carry. Wall time starts at Tue, 14 Nov 2023 22:13:20 GMT.
@Suite struct CookieJarTests {
    static let inOneHour = "Tue, 14 Nov 2023 23:13:20 GMT"
    static let oneSecondAgo = "Tue, 14 Nov 2023 22:13:19 GMT"

    static let cases: [CookieJarCase] = [
        // Domain matching (§5.1.3, §5.3 steps 4-6).
        CookieJarCase("host-only cookie goes back to its host",
                      .set("http://example.com/", "a=1"), .expect("http://example.com/", "a=1"), .expect("http://EXAMPLE.com:8080/", "a=1")),
        CookieJarCase("host-only cookie is not sent to a subdomain",
                      .set("http://example.com/", "a=1"), .expect("http://www.example.com/", nil)),
        CookieJarCase("Domain cookie reaches subdomains",
                      .set("http://example.com/", "a=1; Domain=example.com"),
                      .expect("http://www.example.com/", "a=1"), .expect("http://a.b.example.com/", "a=1"), .expect("http://example.com/", "a=1")),
        CookieJarCase("subdomain may set a cookie for its parent",
                      .set("http://www.example.com/", "a=1; Domain=example.com"),
                      .expect("http://example.com/", "a=1"), .expect("http://api.example.com/", "a=1")),
        CookieJarCase("leading dot of Domain is ignored",
                      .set("http://www.example.com/", "a=1; Domain=.example.com"), .expect("http://example.com/", "a=1")),
        CookieJarCase("Domain is case-insensitive",
                      .set("http://WWW.Example.COM/", "a=1; Domain=EXAMPLE.com"), .expect("http://example.com/", "a=1")),
        CookieJarCase("Domain of another site is refused",
                      .set("http://example.com/", "a=1; Domain=other.com"),
                      .expect("http://other.com/", nil), .expect("http://example.com/", nil)),
        CookieJarCase("Domain of a subdomain is refused",
                      .set("http://example.com/", "a=1; Domain=www.example.com"), .expect("http://www.example.com/", nil)),
        CookieJarCase("Domain that is a suffix but not a parent label is refused",
                      .set("http://badexample.com/", "a=1; Domain=example.com"),
                      .expect("http://example.com/", nil), .expect("http://badexample.com/", nil)),
        CookieJarCase("Domain cookie is not sent to a look-alike host",
                      .set("http://example.com/", "a=1; Domain=example.com"), .expect("http://notexample.com/", nil)),
        CookieJarCase("Domain=com is refused",
                      .set("http://example.com/", "a=1; Domain=com"),
                      .expect("http://example.com/", nil), .expect("http://other.com/", nil)),
        CookieJarCase("Domain=.com is refused",
                      .set("http://example.com/", "a=1; Domain=.com"), .expect("http://other.com/", nil)),
        CookieJarCase("bare Domain equal to the host is host-only",
                      .set("http://localhost/", "a=1; Domain=localhost"),
                      .expect("http://localhost:8080/", "a=1"), .expect("http://sub.localhost/", nil)),
        CookieJarCase("empty Domain is ignored: host-only",
                      .set("http://example.com/", "a=1; Domain="),
                      .expect("http://example.com/", "a=1"), .expect("http://www.example.com/", nil)),

        // IP hosts: host-only cookies only.
        CookieJarCase("IPv4 host keeps a host-only cookie",
                      .set("http://192.168.0.1/", "a=1"), .expect("http://192.168.0.1:8080/", "a=1"), .expect("http://10.192.168.0.1/", nil)),
        CookieJarCase("IPv4 Domain equal to the host is host-only",
                      .set("http://192.168.0.1/", "a=1; Domain=192.168.0.1"), .expect("http://192.168.0.1/", "a=1")),
        CookieJarCase("IPv4 Domain of a suffix is refused",
                      .set("http://10.192.168.0.1/", "a=1; Domain=192.168.0.1"),
                      .expect("http://192.168.0.1/", nil), .expect("http://10.192.168.0.1/", nil)),
        CookieJarCase("IPv6 host keeps a host-only cookie",
                      .set("http://[::1]:8080/", "a=1"), .expect("http://[::1]/", "a=1"), .expect("http://[::2]/", nil)),

        // Path matching and the default path (§5.1.4).
        CookieJarCase("default path is the directory of the request path",
                      .set("http://example.com/docs/page", "a=1"),
                      .expect("http://example.com/docs", "a=1"), .expect("http://example.com/docs/other/x", "a=1"),
                      .expect("http://example.com/", nil), .expect("http://example.com/docsx", nil)),
        CookieJarCase("default path of a top-level path is /",
                      .set("http://example.com/page", "a=1"), .expect("http://example.com/elsewhere/x", "a=1")),
        CookieJarCase("Path attribute matches itself and below, not look-alikes",
                      .set("http://example.com/", "a=1; Path=/api"),
                      .expect("http://example.com/api", "a=1"), .expect("http://example.com/api/v1", "a=1"),
                      .expect("http://example.com/apix", nil), .expect("http://example.com/", nil)),
        CookieJarCase("Path with a trailing slash needs the slash",
                      .set("http://example.com/", "a=1; Path=/api/"),
                      .expect("http://example.com/api/x", "a=1"), .expect("http://example.com/api", nil)),
        CookieJarCase("Path not starting with / takes the default path",
                      .set("http://example.com/x/y", "a=1; Path=api"),
                      .expect("http://example.com/x/z", "a=1"), .expect("http://example.com/api", nil)),
        CookieJarCase("query is not part of the request path",
                      .set("http://example.com/a?next=/b/c", "a=1"),
                      .expect("http://example.com/other?x=/a/b", "a=1")),

        // Secure.
        CookieJarCase("Secure cookie goes over https only",
                      .set("https://example.com/", "a=1; Secure"),
                      .expect("https://example.com/", "a=1"), .expect("http://example.com/", nil)),
        CookieJarCase("Secure cookie set over http is refused",
                      .set("http://example.com/", "a=1; Secure"), .expect("https://example.com/", nil)),
        CookieJarCase("cookie set over http cannot shadow a Secure one",
                      .set("https://example.com/", "a=1; Secure"), .set("http://www.example.com/", "a=2; Domain=example.com"),
                      .expect("https://example.com/", "a=1"), .expect("http://example.com/", nil)),
        CookieJarCase("non-Secure cookie goes over both schemes",
                      .set("https://example.com/", "a=1"), .expect("http://example.com/", "a=1")),

        // Name prefixes (RFC 6265bis §4.1.3).
        CookieJarCase("__Secure- cookie needs Secure",
                      .set("https://example.com/", ["__Secure-a=1", "__Secure-b=2; Secure", "__SECURE-c=3"]),
                      .expect("https://example.com/", "__Secure-b=2")),
        CookieJarCase("__Host- cookie needs Secure, no Domain and Path=/",
                      .set("https://www.example.com/x/y", [
                          "__Host-a=1; Secure; Path=/", "__Host-b=2; Secure", "__Host-c=3; Secure; Path=/; Domain=www.example.com",
                          "__Host-d=4; Path=/", "__host-e=5; Path=/x; Secure",
                      ]),
                      .expect("https://www.example.com/x/y", "__Host-a=1")),

        // Expiry: Max-Age on the clock, Expires on the wall time.
        CookieJarCase("Max-Age expires on the manual clock",
                      .set("http://example.com/", "a=1; Max-Age=60"),
                      .advance(seconds: 59), .expect("http://example.com/", "a=1"),
                      .advance(seconds: 1), .expect("http://example.com/", nil)),
        CookieJarCase("Max-Age wins over a later Expires",
                      .set("http://example.com/", "a=1; Max-Age=60; Expires=\(inOneHour)"),
                      .advance(seconds: 60), .expect("http://example.com/", nil)),
        CookieJarCase("Max-Age wins over a past Expires, in either order",
                      .set("http://example.com/", "a=1; Max-Age=60; Expires=\(oneSecondAgo)"),
                      .set("http://example.com/", "b=2; Expires=\(oneSecondAgo); Max-Age=60"),
                      .expect("http://example.com/", "a=1; b=2")),
        CookieJarCase("Expires is judged against the wall time, then runs on the clock",
                      .set("http://example.com/", "a=1; Expires=\(inOneHour)"),
                      .advance(seconds: 3599), .expect("http://example.com/", "a=1"),
                      .advance(seconds: 1), .expect("http://example.com/", nil)),
        CookieJarCase("Expires in the past is not stored",
                      .set("http://example.com/", "a=1; Expires=\(oneSecondAgo)"), .expect("http://example.com/", nil)),
        CookieJarCase("a wall-clock jump after storing does not move Expires",
                      .set("http://example.com/", "a=1; Expires=\(inOneHour)"),
                      .jumpWallClock(seconds: 7200), .expect("http://example.com/", "a=1"),
                      .advance(seconds: 3600), .expect("http://example.com/", nil)),
        CookieJarCase("a wall clock behind when storing makes Expires further away",
                      .jumpWallClock(seconds: -3600), .set("http://example.com/", "a=1; Expires=\(inOneHour)"),
                      .advance(seconds: 7199), .expect("http://example.com/", "a=1"),
                      .advance(seconds: 1), .expect("http://example.com/", nil)),
        CookieJarCase("session cookie does not expire on the clock",
                      .set("http://example.com/", "a=1"), .advance(seconds: 10 * 365 * 86_400), .expect("http://example.com/", "a=1")),
        CookieJarCase("Max-Age is capped at 400 days",
                      .set("http://example.com/", "a=1; Max-Age=99999999999999999999"),
                      .advance(seconds: 400 * 86_400 - 1), .expect("http://example.com/", "a=1"),
                      .advance(seconds: 1), .expect("http://example.com/", nil)),
        CookieJarCase("malformed Max-Age is ignored and Expires applies",
                      .set("http://example.com/", "a=1; Max-Age=6o; Expires=\(inOneHour)"),
                      .advance(seconds: 3600), .expect("http://example.com/", nil)),
        CookieJarCase("malformed Expires is ignored: a session cookie",
                      .set("http://example.com/", "a=1; Expires=tomorrow"), .set("http://example.com/", "b=2; Expires=Fri, 30 Feb 2024 10:00:00 GMT"),
                      .advance(seconds: 365 * 86_400), .expect("http://example.com/", "a=1; b=2")),

        // Deletion.
        CookieJarCase("Max-Age=0 deletes",
                      .set("http://example.com/", "a=1"), .set("http://example.com/", "b=2"), .set("http://example.com/", "a=x; Max-Age=0"),
                      .expect("http://example.com/", "b=2")),
        CookieJarCase("negative Max-Age deletes",
                      .set("http://example.com/", "a=1"), .set("http://example.com/", "a=1; Max-Age=-1"), .expect("http://example.com/", nil)),
        CookieJarCase("a past Expires deletes",
                      .set("http://example.com/", "a=1"), .set("http://example.com/", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
                      .expect("http://example.com/", nil)),
        CookieJarCase("deletion needs the same path",
                      .set("http://example.com/", "a=1; Path=/x"), .set("http://example.com/", "a=1; Max-Age=0"),
                      .expect("http://example.com/x", "a=1")),
        CookieJarCase("deletion needs the same domain",
                      .set("http://www.example.com/", "a=1; Domain=example.com"), .set("http://www.example.com/", "a=1; Max-Age=0"),
                      .expect("http://www.example.com/", "a=1")),

        // Replacement and order (§5.3 step 11, §5.4 step 2).
        CookieJarCase("replacement keeps the creation order",
                      .set("http://example.com/", "a=1"), .advance(seconds: 1), .set("http://example.com/", "b=2"),
                      .advance(seconds: 1), .set("http://example.com/", "a=3"), .expect("http://example.com/", "a=3; b=2")),
        CookieJarCase("cookies of one instant go in the order they were stored",
                      .set("http://example.com/", "z=1"), .set("http://example.com/", "y=2"), .set("http://example.com/", "x=3"),
                      .expect("http://example.com/", "z=1; y=2; x=3")),
        CookieJarCase("longer paths go first",
                      .set("http://example.com/", "a=1; Path=/"), .set("http://example.com/", "b=2; Path=/x/y"),
                      .set("http://example.com/", "c=3; Path=/x"), .expect("http://example.com/x/y/z", "b=2; c=3; a=1")),
        CookieJarCase("same name on two paths: both, longer path first",
                      .set("http://example.com/", "a=1; Path=/"), .set("http://example.com/", "a=2; Path=/x"),
                      .expect("http://example.com/x", "a=2; a=1")),
        CookieJarCase("host-only and Domain cookies of one name on different domains are both sent",
                      .set("http://www.example.com/", "a=1"), .set("http://www.example.com/", "a=2; Domain=example.com"),
                      .expect("http://www.example.com/", "a=1; a=2"), .expect("http://example.com/", "a=2")),
        CookieJarCase("Domain cookie replaces the host-only one of the same domain",
                      .set("http://example.com/", "a=1"), .set("http://example.com/", "a=2; Domain=example.com"),
                      .expect("http://example.com/", "a=2"), .expect("http://www.example.com/", "a=2")),
        CookieJarCase("several Set-Cookie values of one response",
                      .set("http://example.com/", ["a=1", "b=2; Path=/b", "c=3"]), .expect("http://example.com/b", "b=2; a=1; c=3")),

        // Malformed lines (§5.2) are ignored; the rest of the response still counts.
        CookieJarCase("line without = is ignored",
                      .set("http://example.com/", ["justaname", "secure; a=1", "b=2"]), .expect("http://example.com/", "b=2")),
        CookieJarCase("empty name with a value is ignored",
                      .set("http://example.com/", ["=value", " =value; Path=/", "b=2"]), .expect("http://example.com/", "b=2")),
        CookieJarCase("whitespace around name and value is trimmed",
                      .set("http://example.com/", " a \t= 1 ; Path = / "), .expect("http://example.com/", "a=1")),
        CookieJarCase("value may hold = and be empty",
                      .set("http://example.com/", ["a=b=c", "e="]), .expect("http://example.com/", "a=b=c; e=")),
        CookieJarCase("unknown attributes are skipped, HttpOnly is still sent",
                      .set("http://example.com/", "a=1; HttpOnly; SameSite=Lax; Priority=High; Partitioned; x"), .expect("http://example.com/", "a=1")),
        CookieJarCase("control byte in the value is refused",
                      .set("http://example.com/", ["a=1\u{1}", "b=\u{7F}", "c=3"]), .expect("http://example.com/", "c=3")),
        CookieJarCase("a 1025-byte attribute value is skipped",
                      .set("http://example.com/", "a=1; Path=/" + String(repeating: "p", count: 1024)), .expect("http://example.com/", "a=1")),
    ]

    @Test(arguments: cases)
    func jar(_ scenario: CookieJarCase) {
        let harness = CookieJarHarness()
        for step in scenario.steps {
            switch step {
            case .set(let url, let lines): harness.jar.store(setCookies: lines, from: url)
            case .advance(let seconds): harness.advance(seconds: seconds)
            case .jumpWallClock(let seconds): harness.wallOffset.withLock { $0 += seconds }
            case .expect(let url, let header): #expect(harness.jar.cookieHeader(for: url) == header, "\(url)")
            }
        }
    }
}
