#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import HTTPCore
public import HTTPTypes

/// Cookies received from servers and sent back to them, by RFC 6265 (with the Secure
/// rules of RFC 6265bis). One jar may be shared by several clients: its state is a
/// `CookieStore` value behind a lock.
///
/// Expiry runs on `clock`, the same monotonic clock as the client's timeouts, so a test
/// moves it with `ManualClock`. `Max-Age` counts from `clock.now`; an `Expires` date is an
/// absolute wall time, so it is compared once, when the cookie is stored, with `unixTime`
/// (the system's realtime clock unless injected) and kept as the distance from `now`. A
/// later jump of the wall clock does not move it.
public final class CookieJar: Sendable {
    public let clock: any HTTPClock
    private let unixTime: @Sendable () -> Int64
    private let store: Locked<CookieStore>

    /// - Parameters:
    ///   - clock: expiry and last use are read from it.
    ///   - unixTime: seconds since 1970-01-01 UTC, read when an `Expires` date arrives.
    ///   - limits: how much servers can make the jar hold (size, count, lifetime).
    public init(
        clock: any HTTPClock = SystemClock(),
        unixTime: @escaping @Sendable () -> Int64 = CookieJar.systemUnixTime,
        limits: Limits = Limits()
    ) {
        self.clock = clock
        self.unixTime = unixTime
        store = Locked(CookieStore(limits: limits))
    }

    /// The wall time from `CLOCK_REALTIME`, in whole seconds.
    public static let systemUnixTime: @Sendable () -> Int64 = {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec)
    }

    // MARK: - Receiving

    /// Stores each Set-Cookie value a response from `url` carried; a malformed one, or one
    /// the rules refuse (a `Domain` of another site, a bare `com`, `Secure` over http), is
    /// skipped. An unparsable `url` stores nothing.
    public func store(setCookies: some Sequence<String>, from url: String) {
        guard let target = CookieURL(url) else { return }
        store(setCookies, target)
    }

    /// Stores the Set-Cookie fields of a response from `url`.
    public func store(_ fields: HTTPFields, from url: String) {
        store(setCookies: fields[values: .setCookie], from: url)
    }

    /// The client's entry point: the Set-Cookie values of a response to `url` (the URL
    /// the request went to, after any redirect so far).
    func store(setCookies: some Sequence<String>, from url: ClientURL) {
        guard let target = CookieURL(url) else { return }
        store(setCookies, target)
    }

    /// The client's entry point: the Set-Cookie fields of a response to `url`.
    func store(_ fields: HTTPFields, from url: ClientURL) {
        store(setCookies: fields[values: .setCookie], from: url)
    }

    private func store(_ lines: some Sequence<String>, _ url: CookieURL) {
        var iterator = lines.makeIterator()
        guard let first = iterator.next() else { return }
        let now = clock.now, wall = unixTime()
        store.withLock { store in
            store.store(first, from: url, now: now, unixTime: wall)
            while let line = iterator.next() { store.store(line, from: url, now: now, unixTime: wall) }
        }
    }

    // MARK: - Sending

    /// The Cookie field value for a request to `url` (`a=1; b=2`), or nil when no cookie
    /// applies. Expired cookies are dropped on the way.
    public func cookieHeader(for url: String) -> String? {
        guard let target = CookieURL(url) else { return nil }
        return CookieStore.header(cookies(for: target))
    }

    /// The Cookie field value with a request's own cookies merged in: they go after the
    /// jar's and replace a jar cookie of the same name. Throws `.invalidRequest` for a
    /// request cookie whose name is not a token or whose value holds `;` or a control byte.
    public func cookieHeader(for url: String, adding extra: NameValuePairs) throws(HTTPCoreError) -> String? {
        try CookieStore.validate(extra)
        return CookieStore.header(CookieURL(url).map(cookies(for:)) ?? [], adding: extra)
    }

    /// The client's entry point: the URL the request goes to, and its own cookies. With
    /// an empty jar and no request cookies it costs a lock and a clock read.
    func cookieHeader(for url: ClientURL, adding extra: NameValuePairs = NameValuePairs()) throws(HTTPCoreError) -> String? {
        if !extra.isEmpty { try CookieStore.validate(extra) }
        let now = clock.now
        let cookies = store.withLock { store -> [Cookie] in
            guard store.count > 0, let target = CookieURL(url) else { return [] }
            return store.cookies(for: target, now: now)
        }
        return CookieStore.header(cookies, adding: extra)
    }

    /// The cookies a request to `url` would carry, in the order they are sent.
    public func cookies(for url: String) -> [Cookie] {
        CookieURL(url).map(cookies(for:)) ?? []
    }

    private func cookies(for url: CookieURL) -> [Cookie] {
        let now = clock.now
        return store.withLock { $0.cookies(for: url, now: now) }
    }

    // MARK: - Inspecting

    /// Every unexpired cookie, oldest first.
    public var cookies: [Cookie] {
        let now = clock.now
        return store.withLock { store in
            store.removeExpired(now: now)
            return store.all
        }
    }

    /// Forgets every cookie.
    public func clear() { store.withLock { $0.removeAll() } }

    /// Forgets the cookies of `domain` and its subdomains.
    public func clear(domain: String) { store.withLock { $0.removeAll(domain: domain) } }
}
