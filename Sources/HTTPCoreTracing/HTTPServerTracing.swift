public import HTTPCoreServer
import HTTPCore
import HTTPTypes
import Instrumentation
public import Tracing

/// A swift-distributed-tracing server span for every request an `HTTPServer` handles:
/// wrap the request handler.
///
///     let tracing = HTTPServerTracing()
///     let server = try await HTTPServer.start(backend: backend, tracing.wrap { request, response in ... })
///
/// The span's parent is the context the tracer extracts from the request's fields (a W3C
/// tracer reads `traceparent`); the handler runs with the span's context as
/// `ServiceContext.current`, so its own spans and the client requests it makes (with
/// `HTTPClientTracing`) are children of it. The span ends when the handler returns or
/// throws. Attributes follow OpenTelemetry's HTTP server conventions:
///
/// | Attribute | When |
/// |---|---|
/// | `http.request.method` | at the start |
/// | `url.path` | at the start (never the query: it may carry secrets) |
/// | `url.scheme` | at the start |
/// | `server.address`, `server.port` | at the start, the listening address |
/// | `network.protocol.version` | `1.1` or `2` |
/// | `http.response.status_code` | the status sent (500 when the handler sent none) |
/// | `error.type` | a thrown `HTTPCoreError`'s code, another error's type name, or the status of a 5xx |
///
/// The span status is error when the handler throws or the status is 5xx. No field
/// value, cookie, credential or body is recorded.
public struct HTTPServerTracing: Sendable {
    let tracer: any Tracer

    /// `tracer` defaults to the bootstrapped `InstrumentationSystem.tracer`.
    public init(tracer: any Tracer = InstrumentationSystem.tracer) {
        self.tracer = tracer
    }

    /// `handler`, run inside a server span per request.
    public func wrap(_ handler: @escaping HTTPServer.RequestHandler) -> HTTPServer.RequestHandler {
        { [tracer] request, response in
            var context = ServiceContext.current ?? .topLevel
            tracer.extract(request.head.headerFields, into: &context, using: HTTPFieldsExtractor())
            let method = request.head.method.rawValue
            let span = tracer.startSpan(method, context: context, ofKind: .server)
            span.updateAttributes { attributes in
                attributes["http.request.method"] = method
                attributes["url.path"] = String((request.head.path ?? "").prefix { $0 != "?" })
                attributes["url.scheme"] = request.head.scheme ?? (request.info.tlsVersion == nil ? "http" : "https")
                attributes["network.protocol.version"] = ClientSpanEnding.version(request.version)
                if case .inet(let host, let port)? = request.info.localAddress {
                    attributes["server.address"] = host
                    attributes["server.port"] = port
                }
            }
            do {
                try await ServiceContext.withValue(span.context) { try await handler(request, response) }
            } catch {
                span.attributes["http.response.status_code"] = response.status ?? 500
                span.attributes["error.type"] = (error as? HTTPCoreError).map { "\($0.code)" } ?? "\(type(of: error))"
                // Not `recordError`: a tracer stores the error's text, which may quote the
                // request (a header value, a query token). Its type only, as `exception.type`.
                span.addEvent(SpanEvent(name: "exception", attributes: ["exception.type": "\(type(of: error))"]))
                span.setStatus(SpanStatus(code: .error))
                span.end()
                throw error
            }
            let status = response.status ?? 500
            span.attributes["http.response.status_code"] = status
            if status >= 500 {
                span.attributes["error.type"] = "\(status)"
                span.setStatus(SpanStatus(code: .error))
            }
            span.end()
        }
    }
}
