import InMemoryTracing
import Instrumentation
import Tracing
import W3CTraceContext

/// swift-distributed-tracing's `InMemoryTracer` (it records every span) with W3C trace
/// context on the wire: ids are W3C's (32 and 16 hex digits), `inject` writes
/// `traceparent`, and `extract` parses it with swift-w3c-trace-context, so a malformed
/// header from the client would leave the server's span without a parent.
struct W3CInMemoryTracer: Tracer {
    let recorder = InMemoryTracer(idGenerator: InMemoryTracer.IDGenerator(
        nextTraceID: { TraceID.random().description },
        nextSpanID: { SpanID.random().description }
    ))

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        recorder.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject) where Carrier == Inject.Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract) where Carrier == Extract.Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier),
              let parsed = try? TraceContext(traceParentHeaderValue: header)
        else { return }
        context.inMemorySpanContext = InMemorySpanContext(traceID: parsed.traceID.description, spanID: parsed.spanID.description, parentSpanID: nil)
    }

    var finishedSpans: [FinishedInMemorySpan] { recorder.finishedSpans }
}
