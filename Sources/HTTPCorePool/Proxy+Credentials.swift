import HTTPCore

extension Proxy {
    /// A username and password for the proxy: HTTP Basic in `Proxy-Authorization`, or the
    /// RFC 1929 login for SOCKS5. They print as `<redacted>` and have no reflected children,
    /// so neither `print`, `dump` nor string interpolation shows them.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "<redacted>" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: [:]) }
    }
}

extension Proxy.Credentials {
    /// `Basic base64(username:password)` (RFC 7617).
    var basicAuthorization: String {
        "Basic " + Base64.encode(Array("\(username):\(password)".utf8))
    }
}
