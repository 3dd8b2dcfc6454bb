import HTTPCore

/// RFC 7617 Basic: `Basic base64(user ":" password)` with both in UTF-8, sent with the
/// first request (no 401 round trip). Its description never shows the credentials.
public struct BasicAuth: ClientAuth, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let user: String
    private let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// The field value, `Basic dXNlcjpwYXNz`.
    var fieldValue: String { "Basic " + Base64.encode(Array((user + ":" + password).utf8)) }

    public func authorize(_ request: inout ClientAuthRequest) throws {
        request.headerFields[.authorization] = fieldValue
    }

    public var description: String { "BasicAuth(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
