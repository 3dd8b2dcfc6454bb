import HTTPCore

/// RFC 6265 §5.4: the cookies for a request and the Cookie field value.
extension CookieStore {
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
}
