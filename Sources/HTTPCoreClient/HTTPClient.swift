public import HTTPCore
public import HTTPCorePool
import HTTPCoreDecoding
import HTTPCoreLibUV
// Re-exported: the client's API speaks HTTPTypes (methods, statuses, fields), and a user
// (or a test building a ClosureTransport's response) should not need a second dependency.
@_exported public import HTTPTypes

/// The httpx-style client: requests by method and URL with JSON, forms, multipart and
/// files as bodies, buffered or streamed responses, and one total deadline per request.
///
/// Requests go to the first mounted transport whose URL prefix matches, else to the
/// configured transport, else to a `ConnectionPool` on the configured backend (libuv when
/// none is given: the only place in the library that picks a backend). Use it scoped with
/// `withHTTPClient`, or call `shutdown()`; a client dropped without either still closes its
/// connections (and the backend it made) in the background.
public final class HTTPClient: Sendable {
    public let configuration: Configuration
    /// Nil when a transport is configured (no sockets at all).
    public let pool: ConnectionPool?
    let clock: any HTTPClock
    private let defaultTransport: any RequestInterface
    /// Mounts, longest prefix first.
    private let mounts: [(prefix: String, transport: any RequestInterface)]
    private let base: ClientURL?
    private let defaultFields: HTTPFields
    /// The backend this client made (and so shuts down), when none was given.
    private let ownedBackend: LibUVBackend?
    private let isShutDown = Locked(false)
    let retryBalance: Locked<RetryBudgetBalance>
    /// The client's cookie jar (nil when `storesCookies` is off).
    public let cookies: CookieJar?
    /// The last `request-id` given to a request's log records.
    let requestCounter = Locked(0)

    /// Makes the client. Fails on a base URL that is not absolute http(s), a default
    /// header that could not be sent, or a TLS configuration OpenSSL refuses.
    public init(configuration: Configuration = Configuration()) throws(HTTPCoreError) {
        self.configuration = configuration
        base = try configuration.baseURL.map { url throws(HTTPCoreError) in
            guard let parsed = ClientURL(absolute: url) else {
                // Named only when it holds no credentials: an error must not carry a password.
                let shown = url.contains("@") ? "(with credentials, not shown)" : url.debugDescription
                throw HTTPCoreError(.invalidRequest, "base URL \(shown) is not an absolute http(s) URL without credentials", processing: .notProcessed)
            }
            return parsed
        }
        defaultFields = try HeaderList.fields(configuration.headers)
        mounts = configuration.mounts.sorted { $0.prefix.count > $1.prefix.count }
        cookies = configuration.storesCookies ? configuration.cookieJar ?? CookieJar() : nil
        retryBalance = Locked(RetryBudgetBalance(configuration.retryBudget))
        if let transport = configuration.transport {
            pool = nil
            ownedBackend = nil
            defaultTransport = transport
            clock = configuration.backend?.clock ?? SystemClock()
        } else {
            let made = configuration.backend == nil ? LibUVBackend() : nil
            let backend: any NetworkBackend = configuration.backend ?? made!
            do {
                pool = try ConnectionPool(backend: backend, configuration: configuration.poolConfiguration)
            } catch {
                if let made { Task { await made.shutdown() } }
                throw error
            }
            ownedBackend = made
            defaultTransport = pool!
            clock = backend.clock
        }
    }

    deinit {
        guard !isShutDown.value else { return }
        // Released without shutdown: close the pool's sockets and the loop threads we made
        // in the background, touching nothing of `self`.
        let pool = self.pool, backend = ownedBackend
        if pool != nil || backend != nil {
            Task {
                await pool?.shutdown()
                await backend?.shutdown()
            }
        }
    }

    /// Closes every pooled connection and the backend the client made. Later requests fail
    /// with `.connectionUnavailable`; a second call does nothing.
    public func shutdown() async {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        await pool?.shutdown()
        await ownedBackend?.shutdown()
    }

    /// The pool's connections, one line each, as httpcore prints them:
    /// `<HTTP2Connection ['https://example.com:443', HTTP/2, IDLE, Request Count: 20]>`.
    public var connections: [String] { pool?.connections ?? [] }

    /// The pool's connections and queued requests at one instant (nil without a pool).
    public var snapshot: PoolSnapshot? { pool?.snapshot }

    // MARK: - Sending

    /// Builds the request and hands it to its transport; the response body streams. The
    /// total deadline is fixed here, so body reading through the helpers counts too.
    func send(_ spec: RequestSpec, chain: inout RedirectChain) async throws -> (Request, HTTPCore.Response, start: HTTPInstant) {
        if isShutDown.value {
            throw HTTPCoreError(.connectionUnavailable, "the client is shut down", processing: .notProcessed)
        }
        let start = clock.now
        var request = try build(spec)
        // Hooks and logging (HTTPClient+Hooks.swift, HTTPClient+Logging.swift): the hooks
        // see each request before the loop check and the wire, and each response head first.
        try await runRequestHooks(&request, url: spec.url)
        Self.logSending(request, spec: spec)
        if chain.policy.follows { try chain.visit(request.head) }
        request.options.deadline = spec.deadline
        request.options = request.options.fixingDeadline(clock: clock)
        let transport = transport(for: spec.url)
        // The pool records the attempt's events itself; another transport (a mount, a
        // closure) gets the start, the head and the body's end recorded here, so an
        // observer's request still ends (a span, a meter).
        let traced = transport is ConnectionPool ? nil : request.options.trace
        if let traced, let origin = spec.url.origin {
            traced.record(.started(method: request.head.method, origin: origin), at: clock.now)
        }
        var response = try await transport.send(request)
        if let traced {
            traced.record(.responseHeadReceived(status: response.status.code, version: response.version), at: clock.now)
            response.body = ResponseBody(source: TracedBodySource(response.body.takeSource(), trace: traced, clock: clock))
        }
        logResponse(response, spec: spec, start: start)
        try await runResponseHooks(response, to: request, url: spec.url)
        return (request, response, start)
    }

    /// Sends `first` and follows its redirects as its policy says, all within one total
    /// deadline (fixed here). Each hop's body is read up to the policy's bound and kept in
    /// `history`; a longer one is let go.
    func sendFollowingRedirects(_ first: RequestSpec) async throws -> (RequestSpec, Request, HTTPCore.Response, start: HTTPInstant, history: [Response]) {
        var spec = first
        if spec.deadline == nil {
            spec.deadline = RequestOptions(timeouts: spec.timeouts ?? configuration.timeouts).totalDeadline(clock: clock)
        }
        var chain = RedirectChain(policy: spec.redirects)
        var history: [Response] = []
        while true {
            let (request, response, start) = try await sendAuthenticated(spec, chainOrigin: first.url.origin, chain: &chain)
            cookies?.store(response.head.headerFields, from: spec.url)
            let next: RequestSpec?
            do {
                next = try chain.next(after: spec, status: response.status.code, location: response.head.headerFields[.location])
            } catch {
                response.body.close()
                throw error
            }
            guard let next else { return (spec, request, response, start, history) }
            Self.logRedirect(status: response.status.code, to: next)
            if let trace = spec.trace, let to = next.url.origin {
                trace.record(.redirect(status: response.status.code, to: to), at: clock.now)
            }
            var kept: [UInt8] = []
            for try await chunk in response.body {
                guard chunk.count <= spec.redirects.maxBodyPerHop - kept.count else {
                    response.body.close()
                    break
                }
                kept += chunk
            }
            history.append(Response(
                head: response.head, version: response.version, target: spec.url, request: request.head,
                elapsed: start.duration(to: clock.now), body: kept, trailers: nil, history: []
            ))
            spec = next
        }
    }

    /// The response with its body decoded as it streams, when decoding is on and the
    /// response names a Content-Encoding (a HEAD's, a 204's or a 304's has no body to decode).
    func decoded(_ response: HTTPCore.Response, method: HTTPRequest.Method) throws(HTTPCoreError) -> HTTPCore.Response {
        guard let policy = configuration.decoding, method != .head,
              response.status.code != 204, response.status.code != 304,
              response.head.headerFields[.contentEncoding] != nil
        else { return response }
        let codings: [ContentCoding]
        do {
            codings = try ContentCoding.codings(in: response.head.headerFields)
        } catch {
            response.body.close()
            throw error
        }
        guard !codings.isEmpty else { return response }
        let inner = response.body.takeSource()
        let source: DecodingBodySource
        do {
            source = try DecodingBodySource(inner, codings: codings, policy: policy)
        } catch {
            inner.release()
            throw error
        }
        return HTTPCore.Response(head: response.head, body: ResponseBody(source: source), version: response.version, streamControl: response.streamControl)
    }

    /// The transport for `url`: the longest mounted prefix that matches, else the default.
    private func transport(for url: ClientURL) -> any RequestInterface {
        guard !mounts.isEmpty else { return defaultTransport }
        let text = url.string
        return mounts.first { text.hasPrefix($0.prefix) }?.transport ?? defaultTransport
    }

    /// The request as it goes out: the URL resolved against the base URL with the query
    /// parameters added, the client's headers under the request's (a request field
    /// replaces every client field of its name), the body's Content-Type unless one is
    /// given, and the timeouts.
    func build(_ spec: RequestSpec) throws(HTTPCoreError) -> Request {
        var fields = defaultFields
        let own = try HeaderList.fields(spec.headers)
        for name in Set(own.map(\.name)) { fields[name] = nil }
        fields.append(contentsOf: own)
        for name in spec.strippedFields { fields[name] = nil }
        // A Cookie field the request sets itself wins; otherwise the jar's cookies for this
        // URL (recomputed at every redirect hop) with the request's own cookies after them.
        if fields[.cookie] == nil {
            if let cookies, let header = try cookies.cookieHeader(for: spec.url, adding: spec.cookies) {
                fields[.cookie] = header
            } else if cookies == nil, !spec.cookies.isEmpty {
                let header = spec.cookies.map { "\($0.0)=\($0.1)" }.joined(separator: "; ")
                try Request.refuseControlBytes(in: header, what: "cookies")
                fields[.cookie] = header
            }
        }
        if configuration.decoding != nil, fields[.acceptEncoding] == nil { fields[.acceptEncoding] = ContentCoding.acceptEncoding }
        let content = try spec.body.encoded()
        if let type = content.contentType, fields[.contentType] == nil { fields[.contentType] = type }
        var options = RequestOptions(timeouts: spec.timeouts ?? configuration.timeouts)
        options.trace = spec.trace
        let url = spec.url
        guard let origin = url.origin else {
            throw HTTPCoreError(.invalidRequest, "URL \(url.string.debugDescription) needs http(s)://host", processing: .notProcessed)
        }
        let head = HTTPRequest(method: spec.method, scheme: origin.scheme, authority: origin.authority, path: url.requestTarget, headerFields: fields)
        return Request(head: head, body: content.body, options: options)
    }

    /// Resolves `url` against the base URL and adds `params` to its query.
    func resolve(_ url: String, params: NameValuePairs) throws(HTTPCoreError) -> ClientURL {
        var resolved = try ClientURL.resolve(url, against: base)
        resolved.appendQuery(params)
        return resolved
    }
}

/// Runs `body` with a client and shuts the client down however `body` ends.
@discardableResult
public func withHTTPClient<T>(
    _ configuration: HTTPClient.Configuration = HTTPClient.Configuration(),
    _ body: (HTTPClient) async throws -> T
) async throws -> T {
    let client = try HTTPClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}
