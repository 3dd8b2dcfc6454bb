public import HTTPCore
public import HTTPCoreClient
public import HTTPTypes
import Instrumentation
public import Tracing

/// A swift-distributed-tracing client span for every request an `HTTPClient` sends:
/// set it in `HTTPClient.Configuration.observers`.
///
/// The span's parent is `ServiceContext.current` of the task that calls the client; its
/// context goes out in the request's fields through the tracer's `inject` (a W3C tracer
/// writes `traceparent`), on every hop and retry. It ends at the request's end (the
/// body's end or abandonment, or the failure), once for redirects and retries, which
/// show as span events. Attributes follow OpenTelemetry's HTTP client conventions:
///
/// | Attribute | When |
/// |---|---|
/// | `http.request.method` | at the start |
/// | `url.full` | at the start, without userinfo |
/// | `server.address`, `server.port` | at the start (the last hop's after a redirect) |
/// | `network.protocol.version` | `1.1` or `2`, when a connection was acquired |
/// | `http.response.status_code` | the final response's status |
/// | `http.request.resend_count` | retries and redirects followed, when any |
/// | `error.type` | the `HTTPCoreError.Code` of a failure, or the status of a 4xx/5xx |
///
/// The span status is error for a failure and a 5xx response (a 4xx is the caller's
/// request, and sets only `error.type`, as the conventions say for clients' spans... and
/// servers' alike). No field value, cookie, credential, query or body is recorded beyond
/// `url.full`, which keeps the query as the conventions define it.
public struct HTTPClientTracing: HTTPClientObserver {
    let tracer: any Tracer

    /// `tracer` defaults to the bootstrapped `InstrumentationSystem.tracer`.
    public init(tracer: any Tracer = InstrumentationSystem.tracer) {
        self.tracer = tracer
    }

    public func requestStarting(_ request: ObservedRequest, fields: inout HTTPFields) -> RequestTrace? {
        let parent = ServiceContext.current ?? .topLevel
        let span = tracer.startSpan(request.method.rawValue, context: parent, ofKind: .client)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.full"] = request.url
            if let origin = request.origin {
                attributes["server.address"] = origin.host
                attributes["server.port"] = origin.port
            }
        }
        tracer.inject(span.context, into: &fields, using: HTTPFieldsInjector())
        let ending = ClientSpanEnding(span: span)
        return RequestTrace { entry in ending.record(entry.event) }
    }
}
