public import HTTPCore
public import HTTPTypes

/// A request as a request hook sees it, just before it goes out (each redirect hop, auth
/// round and retry is its own request): the method and URL to read, the fields to read
/// and change. Fields a hook adds go out as they are, on this request only.
public struct HookRequest: Sendable {
    public let method: HTTPRequest.Method
    /// `scheme://authority/path?query` (never the URL's userinfo: that became Basic auth).
    public let url: String
    public var headerFields: HTTPFields

    public init(method: HTTPRequest.Method, url: String, headerFields: HTTPFields) {
        self.method = method
        self.url = url
        self.headerFields = headerFields
    }
}

/// A response head as a response hook sees it, as soon as it arrives and before any
/// redirect is followed (httpx's `event_hooks["response"]`). The body is not read yet.
public struct HookResponse: Sendable {
    public let status: HTTPResponse.Status
    public let headerFields: HTTPFields
    public let version: HTTPVersion
    /// The request this answers: its method and URL.
    public let method: HTTPRequest.Method
    public let url: String

    public init(status: HTTPResponse.Status, headerFields: HTTPFields, version: HTTPVersion, method: HTTPRequest.Method, url: String) {
        self.status = status
        self.headerFields = headerFields
        self.version = version
        self.method = method
        self.url = url
    }
}

extension HTTPClient {
    /// httpx's `event_hooks`: closures run, in order, for every request before it is sent
    /// and for every response head when it arrives. A hook that throws ends the request
    /// with its error: a request hook before anything is sent, a response hook after the
    /// response's body is let go.
    public struct Hooks: Sendable {
        public var request: [@Sendable (inout HookRequest) async throws -> Void]
        public var response: [@Sendable (HookResponse) async throws -> Void]

        public init(
            request: [@Sendable (inout HookRequest) async throws -> Void] = [],
            response: [@Sendable (HookResponse) async throws -> Void] = []
        ) {
            self.request = request
            self.response = response
        }

        var isEmpty: Bool { request.isEmpty && response.isEmpty }
    }

    /// Runs the request hooks on `request`'s head; the fields they leave go out.
    func runRequestHooks(_ request: inout Request, url: ClientURL) async throws {
        let hooks = configuration.hooks.request
        guard !hooks.isEmpty else { return }
        var hooked = HookRequest(method: request.head.method, url: url.string, headerFields: request.head.headerFields)
        for hook in hooks { try await hook(&hooked) }
        request.head.headerFields = hooked.headerFields
    }

    /// Runs the response hooks on `response`'s head; when one throws, the body is let go
    /// and its error rethrown.
    func runResponseHooks(_ response: HTTPCore.Response, to request: Request, url: ClientURL) async throws {
        let hooks = configuration.hooks.response
        guard !hooks.isEmpty else { return }
        let hooked = HookResponse(
            status: response.status, headerFields: response.head.headerFields, version: response.version,
            method: request.head.method, url: url.string
        )
        do {
            for hook in hooks { try await hook(hooked) }
        } catch {
            response.body.close()
            throw error
        }
    }
}
