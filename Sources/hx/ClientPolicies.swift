import HTTPCoreClient
import HXCore

/// What request mode asks of the client beyond the connection: redirects, decoding,
/// authentication, retries and cookies, each off unless its option asks (curl's defaults).
struct ClientPolicies: Sendable {
    var redirects = RedirectPolicy.off
    var decodes = false
    var auth: (any ClientAuth)?
    var retries = RetryPolicy.off
    /// `-b FILE`: a cookie file (Netscape format) to load into the jar.
    var cookieFile: String?
    /// `-b 'name=value; ...'`: cookies sent with the request (to its origin only).
    var cookiePairs = NameValuePairs()
    /// `-c`: where to write the jar afterwards.
    var cookieOutput: String?

    /// `--retry N` as curl: transient failures, and 408, 429, 500, 502, 503 and 504 for
    /// requests that may be repeated.
    static func retries(_ count: Int) -> RetryPolicy {
        count == 0 ? .off : RetryPolicy(maxRetries: count, statuses: [408, 429, 500, 502, 503, 504])
    }

    /// `-u user:password` (a missing `:password` is an empty one), Basic or `--digest`.
    static func auth(user: String?, digest: Bool) throws(HXFailure) -> (any ClientAuth)? {
        guard let user else {
            if digest { throw HXFailure(.usage, "--digest needs -u user:password") }
            return nil
        }
        let colon = user.firstIndex(of: ":") ?? user.endIndex
        let name = String(user[..<colon])
        let password = colon == user.endIndex ? "" : String(user[user.index(after: colon)...])
        guard !name.isEmpty else { throw HXFailure(.usage, "-u needs a user name before the ':'") }
        return digest ? DigestAuth(user: name, password: password) : BasicAuth(user: name, password: password)
    }

    /// `-b`'s argument: a file when one exists by that name or it has no `=`, else pairs.
    mutating func cookie(_ argument: String) throws(HXFailure) {
        if !argument.contains("=") || (try? StandardIO.regularFileSize(argument)) != nil {
            _ = try StandardIO.regularFileSize(argument)
            cookieFile = argument
            return
        }
        for pair in argument.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
            guard parts.count == 2, !parts[0].isEmpty else { throw HXFailure(.usage, "-b \(argument.debugDescription): expected name=value") }
            cookiePairs.append(parts[0], parts[1])
        }
    }

    func apply(to configuration: inout HTTPClient.Configuration) throws(HXFailure) {
        configuration.redirects = redirects
        configuration.decoding = decodes ? .default : nil
        configuration.auth = auth
        configuration.retries = retries
        configuration.storesCookies = true
        let jar = CookieJar()
        if let cookieFile {
            NetscapeCookieFile.load(String(decoding: try StandardIO.readFile(cookieFile), as: UTF8.self), into: jar, unixNow: CookieJar.systemUnixTime())
        }
        configuration.cookieJar = jar
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
