public import HTTPCore
public import HTTPTypes

/// Watches every request an `HTTPClient` sends, for an integration that turns requests
/// into metrics, spans or logs (HTTPCoreMetrics, HTTPCoreTracing) without the client
/// depending on it. Set them in `HTTPClient.Configuration.observers`.
public protocol HTTPClientObserver: Sendable {
    /// A request begins: once per call, before its hooks, redirects and retries. Fields
    /// added to `fields` go out with the request and every hop and retry of it (a tracing
    /// integration adds `traceparent`). Returns the trace that hears this request's events
    /// (its final one is `.responseEnded`, `.responseAbandoned` or `.failed`), or nil.
    ///
    /// The trace's last event is the request's end. `.failed` is always the last; another
    /// final event that is not closes an attempt the client sends again, and that attempt
    /// recorded `.redirect` or `.retry` before it: an observer that ends a span at
    /// `.failed` or at the first final event of an attempt without either ends it once, at
    /// the request's end. A failure the client retries shows as the `.retry` naming it.
    ///
    /// Runs in the caller's task, so task-locals (a `ServiceContext`) are visible.
    func requestStarting(_ request: ObservedRequest, fields: inout HTTPFields) -> RequestTrace?
}

/// What an observer is told of a request as it starts. The URL has no userinfo.
public struct ObservedRequest: Sendable {
    public let method: HTTPRequest.Method
    /// `scheme://authority/path?query`.
    public let url: String
    public let origin: Origin?
    /// The path without the query.
    public let path: String

    public init(method: HTTPRequest.Method, url: String, origin: Origin?, path: String) {
        self.method = method
        self.url = url
        self.origin = origin
        self.path = path
    }
}
