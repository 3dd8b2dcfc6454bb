import Synchronization
public import HTTPCore
public import HTTPCoreClient
public import HTTPTypes
public import Logging

/// An `HTTPClientObserver` that logs each request's `RequestTrace` through swift-log:
/// every event at trace (connect, TLS, pool, heads, body, retries, redirects), and the
/// end at debug with the summary (status, time to first byte, total, bytes). Records carry
/// `request-id` (this observer's counter) and, once known, `connection-id`. The URL is
/// logged as origin and path: a query's values, userinfo, fields and bodies never are.
///
/// The client's own logger (`HTTPClient.Configuration.logger`) logs the request's start,
/// response head and failure at debug; this adds the life in between.
public final class HTTPClientLogging: HTTPClientObserver {
    public let logger: Logger
    private let counter = Atomic(0)

    public init(logger: Logger) {
        self.logger = logger
    }

    public func requestStarting(_ request: ObservedRequest, fields: inout HTTPFields) -> RequestTrace? {
        guard logger.logLevel <= .debug else { return nil }
        var logger = logger
        logger[metadataKey: "request-id"] = "\(counter.add(1, ordering: .relaxed).newValue)"
        logger[metadataKey: "method"] = "\(request.method.rawValue)"
        logger[metadataKey: "target"] = "\(request.origin.map { "\($0)" } ?? "")\(request.path)"
        let recorder = RequestTraceRecorder()
        let log = logger
        return RequestTrace { entry in
            recorder.trace.record(entry)
            if case .acquired(let connection, _, _, _) = entry.event {
                log.trace("\(entry.event)", metadata: ["connection-id": "\(connection)"])
            } else {
                log.trace("\(entry.event)")
            }
            guard entry.event.isFinal else { return }
            let metrics = recorder.metrics
            var summary: Logger.Metadata = [
                "attempts": "\(metrics.attempts)",
                "response-bytes": "\(metrics.responseBodyBytes)",
                "request-bytes": "\(metrics.requestBodyBytes)",
            ]
            if let status = metrics.status { summary["status"] = "\(status)" }
            if let ttfb = metrics.timeToFirstByte { summary["ttfb"] = "\(ttfb)" }
            if let total = metrics.total { summary["total"] = "\(total)" }
            if let connection = metrics.connection { summary["connection-id"] = "\(connection)" }
            if let error = metrics.error { summary["error"] = "\(error.code)" }
            log.debug("request finished", metadata: summary)
        }
    }
}
