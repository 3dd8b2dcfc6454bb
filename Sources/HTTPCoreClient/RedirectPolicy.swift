/// Whether and how far the client follows redirects (301, 302, 303, 307, 308).
///
/// On by default with at most 20 hops, as URLSession and AsyncHTTPClient do (and curl with
/// `-L`, Python requests); httpx leaves it off (`follow_redirects=False`). Safe to leave on:
/// a hop to another origin (scheme, host or port), https to http included, drops
/// `Authorization`, `Proxy-Authorization` and `Cookie` for the rest of the chain, only http
/// and https targets are followed, and a body is replayed only when it can be.
public struct RedirectPolicy: Sendable, Hashable {
    /// Hops allowed; more is `.tooManyRedirects`. 0 means redirects are returned as they are.
    public var maxRedirects: Int
    /// At most this much of each hop's body is read (kept in `history`); a longer body is
    /// let go, closing its HTTP/1.1 connection rather than reading on.
    public var maxBodyPerHop: Int

    public init(maxRedirects: Int = 20, maxBodyPerHop: Int = 64 << 10) {
        self.maxRedirects = max(0, maxRedirects)
        self.maxBodyPerHop = max(0, maxBodyPerHop)
    }

    public static let follow = RedirectPolicy()
    /// Redirect responses are returned to the caller.
    public static let off = RedirectPolicy(maxRedirects: 0)

    var follows: Bool { maxRedirects > 0 }
}
