extension CookieJar {
    /// Bounds on what servers can make a jar hold. The defaults are the minimums RFC 6265
    /// §6.1 asks a user agent to support, and RFC 6265bis's 400-day lifetime cap.
    public struct Limits: Sendable, Hashable {
        /// Bytes of name plus value; a larger cookie is refused.
        public var maxCookieSize = 4096
        /// Per cookie domain; past it the least recently used of that domain is evicted.
        public var maxCookiesPerDomain = 50
        /// In the whole jar; past it the least recently used anywhere is evicted.
        public var maxCookies = 3000
        /// A longer Max-Age or a later Expires is cut to this.
        public var maxLifetime: Duration = .seconds(400 * 86_400)

        public init() {}
    }
}
