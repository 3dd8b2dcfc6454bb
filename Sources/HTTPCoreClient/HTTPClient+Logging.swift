import HTTPCore
import HTTPTypes
import Logging

/// What the client logs, through swift-log: at debug a record per request start, response
/// head, redirect hop, retry and failure; at trace the field names a request goes out
/// with. Every record of one request carries `request-id` (the client's counter, "1",
/// "2", ...). Nothing logged holds a credential, a cookie or a body byte: URLs are logged
/// as origin, path and query keys (no userinfo, no query values), fields by name only,
/// errors by code only (an error's detail may quote a URL).
extension HTTPClient {
    /// The label of the default logger. swift-log's default handler prints from info up,
    /// and the client logs only at debug and trace, so it prints nothing by default.
    public static let loggerLabel = "swift-httpcore.client"

    /// `logger` (the client's when nil) with this request's `request-id`; nil when it
    /// prints nothing below info (the client logs at debug and trace only), so a request
    /// that logs nothing pays nothing for its logger (five allocations before).
    func requestLogger(_ logger: Logger?) -> Logger? {
        var logger = logger ?? configuration.logger
        guard logger.logLevel <= .debug else { return nil }
        let id = requestCounter.withLock { count in
            count += 1
            return count
        }
        logger[metadataKey: "request-id"] = "\(id)"
        return logger
    }

    /// Sends `spec` as `sendWithRetries` does, logging its start and its failure.
    func sendLogged(_ spec: RequestSpec) async throws -> (RequestSpec, Request, HTTPCore.Response, start: HTTPInstant, history: [Response]) {
        var spec = spec
        let ending = observe(&spec)
        let logger = spec.logger
        logger?.debug("request", metadata: ["method": "\(spec.method.rawValue)", "url": "\(spec.url.loggable)"])
        do {
            let sent = try await sendWithRetries(spec)
            ending?.settled()
            return sent
        } catch {
            logger?.debug("request failed", metadata: ["error": "\(Self.loggableCode(error))"])
            ending?.fail(HTTPCoreError.from(error, default: .readFailed), at: clock.now)
            throw error
        }
    }

    /// Lets the configured observers see `spec` start (adding their fields and traces to
    /// it), and wraps its trace so a failure above the pool is recorded once.
    private func observe(_ spec: inout RequestSpec) -> TraceEnding? {
        var trace = spec.trace
        if !configuration.observers.isEmpty {
            let url = spec.url
            let observed = ObservedRequest(method: spec.method, url: url.string, origin: url.origin, path: url.path)
            var fields = HTTPFields()
            for observer in configuration.observers {
                trace = RequestTrace.combining(trace, observer.requestStarting(observed, fields: &fields))
            }
            for field in fields { spec.headers.append(field.name.rawName, field.value) }
        }
        guard let trace else { return nil }
        let ending = TraceEnding(trace)
        spec.trace = ending.trace
        return ending
    }

    /// Before one request (hop, auth round or retry) goes out, as the hooks left it.
    static func logSending(_ request: Request, spec: RequestSpec) {
        guard let logger = spec.logger else { return }
        logger.debug("sending", metadata: ["method": "\(request.head.method.rawValue)", "url": "\(spec.url.loggable)"])
        logger.trace("fields", metadata: ["names": .array(request.head.headerFields.map { .string($0.name.canonicalName) })])
    }

    /// When one response head has arrived.
    func logResponse(_ response: HTTPCore.Response, spec: RequestSpec, start: HTTPInstant) {
        spec.logger?.debug("response", metadata: [
            "status": "\(response.status.code)", "version": "\(response.version)",
            "elapsed": "\(start.duration(to: clock.now))",
        ])
    }

    /// A redirect about to be followed to `next`.
    static func logRedirect(status: Int, to next: RequestSpec) {
        next.logger?.debug("redirect", metadata: ["status": "\(status)", "method": "\(next.method.rawValue)", "url": "\(next.url.loggable)"])
    }

    /// Another attempt after `wait`, for a status or an error.
    static func logRetry(_ spec: RequestSpec, attempt: Int, wait: Duration, status: Int?, error: (any Error)?) {
        guard let logger = spec.logger else { return }
        var metadata: Logger.Metadata = ["attempt": "\(attempt + 1)", "wait": "\(wait)"]
        if let status { metadata["status"] = "\(status)" }
        if let error { metadata["error"] = "\(loggableCode(error))" }
        logger.debug("retry", metadata: metadata)
    }

    /// An error's code (or its type, for an error of another kind): never its detail.
    static func loggableCode(_ error: any Error) -> String {
        (error as? HTTPCoreError).map { "\($0.code)" } ?? "\(type(of: error))"
    }
}

extension ClientURL {
    /// `scheme://host[:port]/path?key1&key2`: the query's keys without their values, no
    /// userinfo, no fragment.
    var loggable: String {
        let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? Substring(authority)
        var text = scheme + "://" + host + path
        if let query, !query.isEmpty {
            let keys = query.split(separator: "&", omittingEmptySubsequences: true).map { $0.prefix { $0 != "=" } }
            text += "?" + keys.joined(separator: "&")
        }
        return text
    }
}
