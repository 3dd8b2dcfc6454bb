import HTTPCore
@testable import HTTPCoreClient

/// The cookie rules (`CookieStore`, which `CookieJar` keeps behind its lock) fed arbitrary
/// Set-Cookie lines from a few URLs. After every line the store's books balance (`count`
/// is the sum of its domain lists, no empty list), it keeps its limits, and each cookie
/// it returns for a URL may go there: domain and path match, Secure only over https, and
/// the Cookie field has no byte that could split a header.
///
/// Input: byte 0 picks the limits (small ones, so eviction runs) and byte 1 the clock
/// step between lines; the rest is lines, each starting with a byte that picks the URL.
enum CookiesTarget {
    static let urls = [
        CookieURL(host: "www.example.com", path: "/a/b", isSecure: true),
        CookieURL(host: "example.com", path: "/", isSecure: false),
        CookieURL(host: "sub.example.co.uk", path: "/x/", isSecure: true),
        CookieURL(host: "127.0.0.1", path: "/", isSecure: false),
    ]

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let limitByte = input.byte()
        let step = Duration.seconds(Int64(input.byte()))
        var limits = CookieJar.Limits()
        limits.maxCookieSize = [4096, 64, 8][Int(limitByte) % 3]
        limits.maxCookiesPerDomain = 1 + Int(limitByte >> 2 & 7)
        limits.maxCookies = 1 + Int(limitByte >> 5)
        limits.maxLifetime = .seconds(100)
        var store = CookieStore(limits: limits)
        var now = HTTPInstant(nanoseconds: 0)
        let unixTime: Int64 = 1_750_000_000

        for line in input.rest().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let url = urls[Int(line.first ?? 0) % urls.count]
            let text = String(decoding: line.dropFirst(), as: UTF8.self)
            let outcome = store.store(text, from: url, now: now, unixTime: unixTime)
            if outcome == .stored { FuzzCheck.that(SetCookie(text, maxPairSize: limits.maxCookieSize) != nil, "stored a line SetCookie refuses") }
            checkBooks(store, limits: limits)
            now = now + step
            for url in urls { checkSent(store.cookies(for: url, now: now), to: url, limits: limits) }
            checkBooks(store, limits: limits)
        }
    }

    static func checkBooks(_ store: CookieStore, limits: CookieJar.Limits) {
        let total = store.byDomain.values.reduce(0) { $0 + $1.count }
        FuzzCheck.that(store.count == total, "count \(store.count) but \(total) cookies kept")
        FuzzCheck.that(store.count <= limits.maxCookies, "\(store.count) cookies over the limit \(limits.maxCookies)")
        for (domain, list) in store.byDomain {
            FuzzCheck.that(!list.isEmpty, "an empty list for \(domain)")
            FuzzCheck.that(list.count <= limits.maxCookiesPerDomain, "\(list.count) cookies for \(domain)")
            for cookie in list {
                FuzzCheck.that(cookie.domain == domain, "cookie of \(cookie.domain) filed under \(domain)")
                FuzzCheck.that(cookie.name.utf8.count + cookie.value.utf8.count <= limits.maxCookieSize, "cookie over the size limit")
            }
        }
    }

    static func checkSent(_ cookies: [Cookie], to url: CookieURL, limits: CookieJar.Limits) {
        for cookie in cookies {
            FuzzCheck.that(cookie.hostOnly ? cookie.domain == url.host : url.domainMatches(cookie.domain), "\(cookie) sent to \(url.host)")
            FuzzCheck.that(url.pathMatches(cookie.path), "\(cookie) sent to path \(url.path)")
            FuzzCheck.that(!cookie.secure || url.isSecure, "Secure \(cookie) sent over http")
        }
        if let header = CookieStore.header(cookies) {
            FuzzCheck.that(!header.utf8.contains { $0 == 0 || $0 == 0x0A || $0 == 0x0D }, "Cookie field \(header.debugDescription)")
        }
    }
}
