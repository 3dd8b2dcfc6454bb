public import HTTPCore
public import HTTPTypes
public import Logging

/// One request as the caller described it, before it is built.
struct RequestSpec: Sendable {
    var method: HTTPRequest.Method
    var url: ClientURL
    var headers: NameValuePairs
    var body: HTTPClient.Body
    var timeouts: Timeouts?
    var trace: RequestTrace?
    var redirects: RedirectPolicy
    /// Fields never sent again in this chain, whoever set them (a redirect to another
    /// origin drops the credentials; one that drops the body, its framing fields).
    var strippedFields: Set<HTTPField.Name> = []
    var retries: RetryPolicy = .off
    /// Cookies for this request only, sent after the jar's (not beyond its origin).
    var cookies: NameValuePairs = [:]
    /// The chain's total deadline, fixed by its first request.
    var deadline: HTTPInstant?
    /// This request's auth flow (the `auth:` argument, else the URL's userinfo as Basic),
    /// before the client's; only for the origin of the chain's first request.
    var auth: (any ClientAuth)? = nil
    /// This request's logger, with its `request-id`; nil: nothing logged.
    var logger: Logger? = nil
}

extension HTTPClient {
    /// Sends a request and reads its body (up to `maxBufferedBodySize`) within the
    /// request's deadline. `url` is absolute, or relative to the base URL; `params` join
    /// its query; `headers` replace the client's fields of the same names; `timeouts`
    /// replaces the client's for this request; `auth` replaces the client's (and Basic
    /// from credentials in the URL, `https://user:pass@host/`) for this request's origin;
    /// `logger` replaces the client's for this request.
    public func request(
        _ method: HTTPRequest.Method,
        _ url: String,
        params: NameValuePairs = [:],
        headers: NameValuePairs = [:],
        body: Body = .empty,
        cookies: NameValuePairs = [:],
        timeouts: Timeouts? = nil,
        redirects: RedirectPolicy? = nil,
        retries: RetryPolicy? = nil,
        trace: RequestTrace? = nil,
        auth: (any ClientAuth)? = nil,
        logger: Logger? = nil
    ) async throws -> Response {
        let (final, request, response, start, history) = try await exchange(
            method, url, params: params, headers: headers, body: body, cookies: cookies, timeouts: timeouts,
            redirects: redirects, retries: retries, trace: trace, auth: auth, logger: logger
        )
        let bytes = try await response.body.collect(upTo: configuration.maxBufferedBodySize)
        return Response(
            head: response.head, version: response.version, target: final.url, request: request.head,
            elapsed: start.duration(to: clock.now), body: bytes, trailers: response.body.trailers, history: history
        )
    }

    /// Sends a request and hands its response to `handle` while the body streams (httpx's
    /// `client.stream`). When `handle` returns or throws, a body not read to its end is let
    /// go (the HTTP/1.1 connection closes, the HTTP/2 stream is reset) and the connection
    /// or slot goes back to the pool.
    public func stream<T>(
        _ method: HTTPRequest.Method = .get,
        _ url: String,
        params: NameValuePairs = [:],
        headers: NameValuePairs = [:],
        body: Body = .empty,
        cookies: NameValuePairs = [:],
        timeouts: Timeouts? = nil,
        redirects: RedirectPolicy? = nil,
        retries: RetryPolicy? = nil,
        trace: RequestTrace? = nil,
        auth: (any ClientAuth)? = nil,
        logger: Logger? = nil,
        _ handle: (StreamingResponse) async throws -> T
    ) async throws -> T {
        let (final, request, response, start, history) = try await exchange(
            method, url, params: params, headers: headers, body: body, cookies: cookies, timeouts: timeouts,
            redirects: redirects, retries: retries, trace: trace, auth: auth, logger: logger
        )
        defer { response.body.close() }
        return try await handle(StreamingResponse(
            head: response.head, version: response.version, target: final.url, request: request.head,
            elapsed: start.duration(to: clock.now), body: response.body, streamControl: response.streamControl,
            limit: configuration.maxBufferedBodySize, history: history
        ))
    }

    /// What `request`, `stream` and `open` share: the spec from their arguments (the
    /// client's policies where the request names none, the URL's userinfo as auth), sent
    /// through the policies, its response decoded, with the chain that led to it.
    func exchange(
        _ method: HTTPRequest.Method, _ url: String, params: NameValuePairs, headers: NameValuePairs, body: Body,
        cookies: NameValuePairs, timeouts: Timeouts?, redirects: RedirectPolicy?, retries: RetryPolicy?,
        trace: RequestTrace?, auth: (any ClientAuth)?, logger: Logger?
    ) async throws -> (RequestSpec, Request, HTTPCore.Response, start: HTTPInstant, history: [Response]) {
        let (resolved, userinfo) = try resolveWithUserinfo(url, params: params)
        let spec = RequestSpec(
            method: method, url: resolved, headers: headers, body: body, timeouts: timeouts, trace: trace,
            redirects: redirects ?? configuration.redirects, retries: retries ?? configuration.retries, cookies: cookies,
            auth: auth ?? userinfo, logger: requestLogger(logger)
        )
        let (final, request, received, start, history) = try await sendLogged(spec)
        return (final, request, try decoded(received, method: final.method), start, history)
    }

    public func get(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:], timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.get, url, params: params, headers: headers, timeouts: timeouts)
    }

    public func head(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:], timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.head, url, params: params, headers: headers, timeouts: timeouts)
    }

    public func options(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:], timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.options, url, params: params, headers: headers, timeouts: timeouts)
    }

    public func delete(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:], timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.delete, url, params: params, headers: headers, timeouts: timeouts)
    }

    public func post(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:],
        body: Body = .empty, timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.post, url, params: params, headers: headers, body: body, timeouts: timeouts)
    }

    /// POSTs `json` encoded as `application/json` (httpx's `post(url, json=...)`).
    public func post<T: Encodable & Sendable>(
        _ url: String, json: T, params: NameValuePairs = [:], headers: NameValuePairs = [:],
        timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.post, url, params: params, headers: headers, body: .json(json), timeouts: timeouts)
    }

    public func put(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:],
        body: Body = .empty, timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.put, url, params: params, headers: headers, body: body, timeouts: timeouts)
    }

    public func patch(
        _ url: String, params: NameValuePairs = [:], headers: NameValuePairs = [:],
        body: Body = .empty, timeouts: Timeouts? = nil
    ) async throws -> Response {
        try await request(.patch, url, params: params, headers: headers, body: body, timeouts: timeouts)
    }
}
