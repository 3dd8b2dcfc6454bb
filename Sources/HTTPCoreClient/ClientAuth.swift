public import HTTPTypes

/// An authentication flow (httpx's `Auth.auth_flow`): it adds fields to a request before
/// it is sent and, seeing the response, may ask for it to be sent again with new fields
/// (a Digest challenge, a stale nonce). The client bounds the rounds
/// (`HTTPClient.maxAuthRounds`) and applies the flow only to the origin of a chain's first
/// request: a redirect to another origin goes without it.
///
/// One value may serve many requests at once (the configuration's `auth` is shared by the
/// client), so state it keeps across requests (a Digest nonce count) must be locked.
public protocol ClientAuth: Sendable {
    /// Adds fields to `request` before its first send.
    func authorize(_ request: inout ClientAuthRequest) throws
    /// After `response` to `request`: true to send it again with `request`'s fields as
    /// changed here. `round` is 0 after the first send, 1 after the first retry, ...
    func retry(_ request: inout ClientAuthRequest, after response: ClientAuthResponse, round: Int) throws -> Bool
}

extension ClientAuth {
    public func retry(_ request: inout ClientAuthRequest, after response: ClientAuthResponse, round: Int) throws -> Bool { false }
}

/// The request an auth flow sees: its method, URL (no userinfo, no fragment), request
/// target, and the request's own fields (not the client's defaults). A flow changes
/// `headerFields`.
public struct ClientAuthRequest: Sendable {
    public let method: HTTPRequest.Method
    public let url: String
    /// Path and query as on the request line (Digest's `uri`).
    public let target: String
    public var headerFields: HTTPFields

    public init(method: HTTPRequest.Method, url: String, target: String, headerFields: HTTPFields = [:]) {
        self.method = method
        self.url = url
        self.target = target
        self.headerFields = headerFields
    }
}

/// The response an auth flow sees: status and fields (the body is not read).
public struct ClientAuthResponse: Sendable {
    public let status: Int
    public let headerFields: HTTPFields

    public init(status: Int, headerFields: HTTPFields) {
        self.status = status
        self.headerFields = headerFields
    }
}

/// A fixed Authorization value: `Bearer <token>`. Its description never shows the token.
public struct BearerAuth: ClientAuth, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let token: String

    public init(token: String) { self.token = token }

    public func authorize(_ request: inout ClientAuthRequest) throws {
        request.headerFields[.authorization] = "Bearer " + token
    }

    public var description: String { "BearerAuth(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

extension ClientAuth where Self == BasicAuth {
    /// RFC 7617 Basic with UTF-8 user and password.
    public static func basic(_ user: String, _ password: String) -> BasicAuth { BasicAuth(user: user, password: password) }
}

extension ClientAuth where Self == BearerAuth {
    /// `Authorization: Bearer <token>` (RFC 6750).
    public static func bearer(_ token: String) -> BearerAuth { BearerAuth(token: token) }
}

extension ClientAuth where Self == DigestAuth {
    /// RFC 7616 Digest (MD5, SHA-256, SHA-512-256 and their -sess variants; qop=auth).
    public static func digest(_ user: String, _ password: String) -> DigestAuth { DigestAuth(user: user, password: password) }
}
