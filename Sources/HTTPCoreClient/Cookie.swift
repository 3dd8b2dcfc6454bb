public import HTTPCore

/// One cookie as a `CookieJar` holds it (RFC 6265 §5.3): the attributes a server set,
/// resolved against the URL that set them.
///
/// Times are instants on the jar's `HTTPClock`, not wall dates: an `Expires` date is turned
/// into "this long from now" when the cookie is stored, so expiry follows the same clock as
/// every other timeout and a test moves it with `ManualClock`.
public struct Cookie: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String
    /// Lowercased, without a leading dot: the request host for a host-only cookie, else
    /// the `Domain` attribute.
    public var domain: String
    /// Sent only to `domain` itself, not its subdomains (no `Domain` attribute was given).
    public var hostOnly: Bool
    public var path: String
    /// Sent only over https.
    public var secure: Bool
    /// Kept as the server set it; an HTTP client sends these like any other cookie.
    public var httpOnly: Bool
    /// When the cookie stops being sent; nil for a session cookie (kept until the jar is
    /// cleared or dropped).
    public var expires: HTTPInstant?
    /// When the cookie was first stored; a replacement keeps the original's.
    public var created: HTTPInstant
    /// When the cookie was last stored or sent; the oldest goes first when a limit is hit.
    public var lastAccessed: HTTPInstant
    /// Orders cookies created at the same instant by the order they were stored.
    var sequence: UInt64

    init(
        name: String, value: String, domain: String, hostOnly: Bool = true, path: String = "/",
        secure: Bool = false, httpOnly: Bool = false, expires: HTTPInstant? = nil, created: HTTPInstant
    ) {
        self.name = name
        self.value = value
        self.domain = domain
        self.hostOnly = hostOnly
        self.path = path
        self.secure = secure
        self.httpOnly = httpOnly
        self.expires = expires
        self.created = created
        lastAccessed = created
        sequence = 0
    }

    /// `name=value` as a Cookie header carries it.
    public var pair: String { name + "=" + value }

    /// Set-Cookie style, for logs: `sid=1; Domain=example.com; Path=/; Secure` (a
    /// host-only cookie says `HostOnly` after its domain).
    public var description: String {
        var text = pair + "; Domain=" + domain + (hostOnly ? "; HostOnly" : "") + "; Path=" + path
        if secure { text += "; Secure" }
        if httpOnly { text += "; HttpOnly" }
        if let expires { text += "; Expires=\(expires)" }
        return text
    }

    func isExpired(at now: HTTPInstant) -> Bool { expires.map { $0 <= now } ?? false }

    /// Whether this cookie was made before `other` (RFC 6265 §5.4 step 2's tie-break).
    func isOlder(than other: Cookie) -> Bool {
        created != other.created ? created < other.created : sequence < other.sequence
    }
}
