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
    /// Keyed by `Cookie.domain`; no empty lists. Changed only by this type's methods (the
    /// extensions in `CookieStore+*.swift` need them internal), which keep `count` in step.
    var byDomain: [String: [Cookie]] = [:]
    var count = 0
    private var nextSequence: UInt64 = 0

    init(limits: CookieJar.Limits = CookieJar.Limits()) { self.limits = limits }

    // MARK: - Storing (§5.3)

    /// Stores one Set-Cookie field value received from `url`.
    @discardableResult
    mutating func store(_ line: String, from url: CookieURL, now: HTTPInstant, unixTime: Int64) -> Outcome {
        guard let parsed = SetCookie(line, maxPairSize: limits.maxCookieSize) else { return .refused }
        // RFC 6265bis §5.7: a Secure cookie only from a secure origin, and the name
        // prefixes' promises kept.
        if parsed.secure, !url.isSecure { return .refused }
        guard parsed.keepsPrefixRules else { return .refused }
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
}
