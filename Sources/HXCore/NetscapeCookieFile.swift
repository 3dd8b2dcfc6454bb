public import HTTPCoreClient

/// Cookie files in the Netscape format curl reads with `-b FILE` and writes with
/// `-c FILE`: one cookie a line, seven tab-separated fields (domain, include subdomains,
/// path, secure, expiry in Unix seconds (0: a session cookie), name, value); `#` comments,
/// and `#HttpOnly_` before the domain of an HttpOnly cookie.
public enum NetscapeCookieFile {
    /// Loads `text` into `jar` as the Set-Cookie lines the cookies would have come in, so
    /// the jar's own rules apply (a malformed line is skipped, as curl skips it).
    public static func load(_ text: String, into jar: CookieJar, unixNow: Int64) {
        for line in text.split(whereSeparator: \.isNewline) {
            var line = Substring(line)
            var httpOnly = false
            if line.hasPrefix("#HttpOnly_") {
                httpOnly = true
                line = line.dropFirst("#HttpOnly_".count)
            } else if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) {
                continue
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 7, let expiry = Int64(fields[4]) else { continue }
            let domain = fields[0].drop { $0 == "." }
            guard !domain.isEmpty else { continue }
            let secure = fields[3] == "TRUE"
            if expiry != 0, expiry <= unixNow { continue }
            var setCookie = "\(fields[5])=\(fields[6]); Path=\(fields[2])"
            if fields[1] == "TRUE" { setCookie += "; Domain=\(domain)" }
            if expiry != 0 { setCookie += "; Max-Age=\(expiry - unixNow)" }
            if secure { setCookie += "; Secure" }
            if httpOnly { setCookie += "; HttpOnly" }
            jar.store(setCookies: [setCookie], from: "\(secure ? "https" : "http")://\(domain)\(fields[2])")
        }
    }

    /// The jar's cookies in the format; `secondsLeft` gives a cookie's remaining lifetime
    /// (nil for a session cookie).
    public static func render(_ cookies: [Cookie], unixNow: Int64, secondsLeft: (Cookie) -> Int64?) -> String {
        var text = "# Netscape HTTP Cookie File\n# Written by hx (swift-httpcore). Edit at your own risk.\n\n"
        for cookie in cookies {
            let domain = (cookie.httpOnly ? "#HttpOnly_" : "") + (cookie.hostOnly ? "" : ".") + cookie.domain
            let expiry = secondsLeft(cookie).map { unixNow + $0 } ?? 0
            text += [domain, cookie.hostOnly ? "FALSE" : "TRUE", cookie.path, cookie.secure ? "TRUE" : "FALSE", String(expiry), cookie.name, cookie.value]
                .joined(separator: "\t") + "\n"
        }
        return text
    }
}
