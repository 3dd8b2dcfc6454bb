import HTTPCore
public import HTTPCoreServer
public import Logging

/// Logs what an `HTTPServer` reports (`Configuration.onEvent`) through swift-log:
/// connections opened and ended (with the cause and how long they lasted) and each
/// request's end (status, duration, body bytes) at debug; each request's start at trace;
/// handler failures by category and code, refused HTTP/2 streams, at debug. Records carry
/// `connection-id` and `request-id` (the server's, as in its events). None carries a path,
/// a query, a field value, a credential or a body byte, nor an error's text (it may
/// quote a request).
///
///     let log = ServerLogger(logger: logger)
///     configuration.onEvent = log.record
public struct ServerLogger: Sendable {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func record(_ event: HTTPServer.Event) {
        switch event {
        case .connectionOpened(let connection, let remote):
            logger.debug("connection opened", metadata: ["connection-id": "\(connection)", "remote": "\(remote.map { "\($0)" } ?? "?")"])
        case .connectionEnded(let end, let duration, let connection):
            logger.debug("connection ended", metadata: [
                "connection-id": "\(connection.map(String.init) ?? "-")", "end": "\(end)", "duration": "\(duration)",
            ])
        case .requestStarted(let method, let version, let connection, let request):
            logger.trace("request started", metadata: [
                "connection-id": "\(connection)", "request-id": "\(request)", "method": "\(method.rawValue)", "version": "\(version)",
            ])
        case .requestFailed(let error, let duration, let connection, let request):
            var metadata: Logger.Metadata = ["connection-id": "\(connection)", "request-id": "\(request)", "duration": "\(duration)"]
            if let error = error as? HTTPCoreError {
                metadata["error"] = "\(error.category) \(error.code)"
            } else {
                metadata["error"] = "\(type(of: error))"
            }
            logger.debug("handler failed", metadata: metadata)
        case .requestEnded(let outcome):
            logger.debug("request ended", metadata: [
                "connection-id": "\(outcome.connection)", "request-id": "\(outcome.request)", "method": "\(outcome.method.rawValue)",
                "status": "\(outcome.status.map(String.init) ?? "-")", "duration": "\(outcome.duration)",
                "response-bytes": "\(outcome.responseBodyBytes)",
            ])
        case .streamsRefused(let count, let connection):
            logger.debug("streams refused", metadata: ["connection-id": "\(connection)", "count": "\(count)"])
        }
    }
}
