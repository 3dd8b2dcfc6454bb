import HTTPCore

/// The cookie rules of RFC 6265 §5.3 and §5.4 as a value: what `CookieJar` keeps behind its
/// lock. It reads no clock: each event takes `now` on the jar's `HTTPClock`, and storing
/// takes the wall time too, to turn an `Expires` date into a distance from `now`.
///
/// Cookies are kept by their domain, so a request looks up its host and each parent
/// domain instead of scanning the jar.
struct CookieStore: Sendable {
    enum Outcome: Sendable, Equatable {
        case stored
        /// Max-Age of 0 or less, or an Expires date passed: any cookie it names is gone.
        case removed
        case refused
    }

    var limits: CookieJar.Limits
    private(set) var byDomain: [String: [Cookie]] = [:]
    private(set) var count = 0
    private var nextSequence: UInt64 = 0

    init(limits: CookieJar.Limits = CookieJar.Limits()) { self.limits = limits }

    // MARK: - Storing (§5.3)

    /// Stores one Set-Cookie field value received from `url`.
    @discardableResult
    mutating func store(_ line: String, from url: CookieURL, now: HTTPInstant, unixTime: Int64) -> Outcome {
        guard let parsed = SetCookie(line, maxPairSize: limits.maxCookieSize) else { return .refused }
        // RFC 6265bis §5.7: a Secure cookie only from a secure origin.
        if parsed.secure, !url.isSecure { return .refused }
        guard let (domain, hostOnly) = cookieDomain(parsed.domain, for: url) else { return .refused }
        var cookie = Cookie(
            name: String(parsed.name), value: String(parsed.value), domain: domain, hostOnly: hostOnly,
            path: parsed.path.map(String.init) ?? url.defaultPath, secure: parsed.secure, httpOnly: parsed.httpOnly,
            expires: nil, created: now
        )
        var expired = false
        if let maxAge = parsed.maxAge {
            switch maxAge {
            case .expired: expired = true
            case .seconds(let seconds): cookie.expires = instant(now, plus: seconds)
            }
        } else if let date = parsed.expires {
            let (delta, overflow) = date.subtractingReportingOverflow(unixTime)
            if overflow || delta <= 0 { expired = true } else { cookie.expires = instant(now, plus: delta) }
        }
        if !url.isSecure, !cookie.secure, shadowsSecureCookie(cookie) { return .refused }

        var list = byDomain[domain, default: []]
        if let index = list.firstIndex(where: { $0.name == cookie.name && $0.path == cookie.path }) {
            cookie.created = list[index].created
            cookie.sequence = list[index].sequence
            list.remove(at: index)
            count -= 1
        } else {
            cookie.sequence = nextSequence
            nextSequence += 1
        }
        if expired {
            byDomain[domain] = list.isEmpty ? nil : list
            return .removed
        }
        list.append(cookie)
        count += 1
        byDomain[domain] = list
        enforceLimits(domain: domain, now: now)
        return .stored
    }

    /// The cookie's domain and whether it is host-only, or nil to refuse it (§5.3 steps
    /// 5-6): a `Domain` must domain-match the host; a bare label (`com`, `localhost`) or an
    /// IP is accepted only when it is the host itself, and then as host-only. Without a
    /// public suffix list, `co.uk` is not refused.
    private func cookieDomain(_ attribute: String?, for url: CookieURL) -> (String, hostOnly: Bool)? {
        guard let attribute, !attribute.isEmpty else { return (url.host, true) }
        if url.isIPAddress || !attribute.utf8.contains(UInt8(ascii: ".")) {
            return attribute == url.host ? (url.host, true) : nil
        }
        return url.domainMatches(attribute) ? (attribute, false) : nil
    }

    /// RFC 6265bis §5.7 step 16: a cookie set over http may not shadow a Secure cookie of
    /// the same name on an overlapping domain and path.
    private func shadowsSecureCookie(_ cookie: Cookie) -> Bool {
        let newDomain = CookieURL(host: cookie.domain, path: cookie.path, isSecure: false)
        for (domain, list) in byDomain {
            for existing in list where existing.secure && existing.name == cookie.name {
                let existingDomain = CookieURL(host: domain, path: existing.path, isSecure: true)
                if (newDomain.domainMatches(domain) || existingDomain.domainMatches(cookie.domain)), newDomain.pathMatches(existing.path) {
                    return true
                }
            }
        }
        return false
    }

    /// `now + seconds`, capped at `limits.maxLifetime` (RFC 6265bis: 400 days), so a huge
    /// Max-Age or a far Expires neither overflows nor lives for ever.
    private func instant(_ now: HTTPInstant, plus seconds: Int64) -> HTTPInstant {
        let lifetime = min(Duration.seconds(seconds), limits.maxLifetime)
        let (sum, overflow) = now.nanoseconds.addingReportingOverflow(lifetime.nanosecondsClamped)
        return HTTPInstant(nanoseconds: overflow ? .max : sum)
    }

    /// Over a limit, expired cookies go first, then the least recently used.
    private mutating func enforceLimits(domain: String, now: HTTPInstant) {
        if let list = byDomain[domain], list.count > limits.maxCookiesPerDomain {
            removeExpired(now: now)
            while let list = byDomain[domain], list.count > limits.maxCookiesPerDomain,
                  let oldest = list.indices.min(by: { CookieStore.lessRecentlyUsed(list[$0], list[$1]) }) {
                byDomain[domain]!.remove(at: oldest)
                count -= 1
            }
        }
        if count > limits.maxCookies {
            removeExpired(now: now)
            while count > limits.maxCookies, let oldest = leastRecentlyUsed() {
                byDomain[oldest.domain]!.remove(at: oldest.index)
                if byDomain[oldest.domain]!.isEmpty { byDomain[oldest.domain] = nil }
                count -= 1
            }
        }
    }

    private static func lessRecentlyUsed(_ a: Cookie, _ b: Cookie) -> Bool {
        a.lastAccessed != b.lastAccessed ? a.lastAccessed < b.lastAccessed : a.sequence < b.sequence
    }

    private func leastRecentlyUsed() -> (domain: String, index: Int)? {
        var found: (domain: String, index: Int, cookie: Cookie)?
        for (domain, list) in byDomain {
            for (index, cookie) in list.enumerated() where found.map({ CookieStore.lessRecentlyUsed(cookie, $0.cookie) }) ?? true {
                found = (domain, index, cookie)
            }
        }
        return found.map { ($0.domain, $0.index) }
    }

    // MARK: - Sending (§5.4)

    /// The cookies to send to `url`, longer paths first, then older first; marks them used
    /// and drops the expired ones it passes.
    mutating func cookies(for url: CookieURL, now: HTTPInstant) -> [Cookie] {
        guard count > 0 else { return [] }
        var matched: [Cookie] = []
        for domain in url.candidateDomains {
            guard var list = byDomain[domain] else { continue }
            let before = list.count
            list.removeAll { $0.isExpired(at: now) }
            count -= before - list.count
            for index in list.indices {
                let cookie = list[index]
                guard !cookie.hostOnly || domain == url.host, url.pathMatches(cookie.path), !cookie.secure || url.isSecure else { continue }
                list[index].lastAccessed = now
                matched.append(list[index])
            }
            byDomain[domain] = list.isEmpty ? nil : list
        }
        matched.sort { $0.path.utf8.count != $1.path.utf8.count ? $0.path.utf8.count > $1.path.utf8.count : $0.isOlder(than: $1) }
        return matched
    }

    /// The Cookie field value for `cookies` and a request's own `extra` pairs, or nil when
    /// there are none. An extra cookie replaces a stored one of the same name (the caller
    /// asked for that value on this request) and goes after the stored ones.
    static func header(_ cookies: [Cookie], adding extra: NameValuePairs = NameValuePairs()) -> String? {
        guard !cookies.isEmpty || !extra.isEmpty else { return nil }
        var parts: [String] = []
        parts.reserveCapacity(cookies.count + extra.pairs.count)
        for cookie in cookies where !extra.pairs.contains(where: { $0.0 == cookie.name }) {
            parts.append(cookie.pair)
        }
        for (name, value) in extra { parts.append(name + "=" + value) }
        return parts.joined(separator: "; ")
    }

    /// Refuses a request cookie that would break the Cookie field: a name that is not a
    /// token, a value with `;` or a control byte.
    static func validate(_ extra: NameValuePairs) throws(HTTPCoreError) {
        for (name, value) in extra {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw HTTPCoreError(.invalidRequest, "cookie name \(name.debugDescription) is not a token", processing: .notProcessed)
            }
            guard !value.utf8.contains(where: { $0 == UInt8(ascii: ";") || $0 < 0x20 || $0 == 0x7F }) else {
                throw HTTPCoreError(.invalidRequest, "value of cookie \(name.debugDescription) holds ';' or a control byte", processing: .notProcessed)
            }
        }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    // MARK: - Inspecting and clearing

    mutating func removeExpired(now: HTTPInstant) {
        for (domain, list) in byDomain {
            let kept = list.filter { !$0.isExpired(at: now) }
            guard kept.count != list.count else { continue }
            count -= list.count - kept.count
            byDomain[domain] = kept.isEmpty ? nil : kept
        }
    }

    /// Every cookie, oldest first.
    var all: [Cookie] { byDomain.values.flatMap { $0 }.sorted { $0.isOlder(than: $1) } }

    mutating func removeAll() {
        byDomain = [:]
        count = 0
    }

    /// Removes the cookies of `domain` and of its subdomains (`example.com` takes
    /// `www.example.com`'s too); a leading dot is ignored.
    mutating func removeAll(domain: String) {
        var domain = domain.lowercased()
        if domain.utf8.first == UInt8(ascii: ".") { domain.removeFirst() }
        let parent = CookieURL(host: domain, path: "/", isSecure: false)
        for key in byDomain.keys where CookieURL(host: key, path: "/", isSecure: false).domainMatches(parent.host) {
            count -= byDomain[key]!.count
            byDomain[key] = nil
        }
    }
}
