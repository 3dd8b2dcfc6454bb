import HTTPCore

/// Eviction under the limits, expiry, and clearing.
extension CookieStore {
    /// Over a limit, expired cookies go first, then the least recently used.
    mutating func enforceLimits(domain: String, now: HTTPInstant) {
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
