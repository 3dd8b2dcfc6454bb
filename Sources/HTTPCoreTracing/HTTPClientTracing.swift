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
/// | `url.full` | at the start, without userinfo, each query value `REDACTED` |
/// | `server.address`, `server.port` | at the start (the last hop's after a redirect) |
/// | `network.protocol.version` | `1.1` or `2`, when a connection was acquired |
/// | `http.response.status_code` | the final response's status |
/// | `http.request.resend_count` | retries and redirects followed, when any |
/// | `error.type` | the `HTTPCoreError.Code` of a failure (`connectRefused`), or the status of a 4xx or 5xx |
///
/// The span status is error for a failure and for a 4xx or 5xx response (the
/// conventions' rule for client spans; a server span leaves 4xx unset). A query value may
/// be a credential (an API key, a signature), so `url.full` keeps the query's keys only,
/// as the client's logs do; no field value, cookie, credential or body is recorded.
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
            attributes["url.full"] = Self.redactingQueryValues(request.url)
            if let origin = request.origin {
                attributes["server.address"] = origin.host
                attributes["server.port"] = origin.port
            }
        }
        tracer.inject(span.context, into: &fields, using: HTTPFieldsInjector())
        let ending = ClientSpanEnding(span: span)
        return RequestTrace { entry in ending.record(entry.event) }
    }

    /// `url` with each query value replaced by `REDACTED` (keys and a valueless item kept).
    static func redactingQueryValues(_ url: String) -> String {
        guard let mark = url.firstIndex(of: "?") else { return url }
        let items = url[url.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map { item in
            guard let equals = item.firstIndex(of: "=") else { return String(item) }
            return item[..<equals] + "=REDACTED"
        }
        return url[...mark] + items.joined(separator: "&")
    }
}
