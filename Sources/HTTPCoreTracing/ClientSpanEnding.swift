import HTTPCore
import Synchronization
import Tracing

/// One client span's attributes and end from the request's events: `.failed`, or the
/// first final event of an attempt that recorded no `.redirect` or `.retry`, is the
/// request's end (`HTTPClientObserver`'s promise), and the span ends there, once.
final class ClientSpanEnding: Sendable {
    private struct State {
        /// The current attempt is sent again after its end.
        var continuing = false
        var status: Int?
        var resends = 0
        var ended = false
    }

    private let span: any Span
    private let state = Mutex(State())

    init(span: any Span) {
        self.span = span
    }

    func record(_ event: RequestTrace.Event) {
        let end = state.withLock { state -> (status: Int?, resends: Int)? in
            guard !state.ended else { return nil }
            switch event {
            case .started: state.continuing = false
            case .redirect, .retry:
                state.continuing = true
                state.resends += 1
            case .responseHeadReceived(let status, _): state.status = status
            default: break
            }
            // `.failed` is always the last event; another final one is the last unless
            // its attempt is sent again.
            if case .failed = event {} else if state.continuing { return nil }
            guard event.isFinal else { return nil }
            state.ended = true
            return (state.status, state.resends)
        }
        switch event {
        case .started(_, let origin):
            span.updateAttributes { attributes in
                attributes["server.address"] = origin.host
                attributes["server.port"] = origin.port
            }
        case .acquired(_, _, let version, _):
            span.attributes["network.protocol.version"] = Self.version(version)
        case .redirect(let status, let to):
            var attributes = SpanAttributes()
            attributes["http.response.status_code"] = status
            attributes["server.address"] = to.host
            span.addEvent(SpanEvent(name: "http.redirect", attributes: attributes))
        case .retry(let attempt, let status, let failure):
            var attributes = SpanAttributes()
            attributes["http.request.resend_count"] = attempt - 1
            if let status { attributes["http.response.status_code"] = status }
            if let failure { attributes["error.type"] = "\(failure)" }
            span.addEvent(SpanEvent(name: "http.retry", attributes: attributes))
        default:
            break
        }
        guard let end else { return }
        span.updateAttributes { attributes in
            if let status = end.status { attributes["http.response.status_code"] = status }
            if end.resends > 0 { attributes["http.request.resend_count"] = end.resends }
        }
        if case .failed(let error) = event {
            span.attributes["error.type"] = "\(error.code)"
            // Not `recordError`: a tracer stores the error's text, whose detail may quote
            // a URL or a proxy. Its category and code only.
            span.addEvent(SpanEvent(name: "exception", attributes: ["exception.type": "\(error.category) \(error.code)"]))
            span.setStatus(SpanStatus(code: .error, message: "\(error.code)"))
        } else if let status = end.status, status >= 400 {
            span.attributes["error.type"] = "\(status)"
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }

    static func version(_ version: HTTPVersion) -> String {
        switch version {
        case .http1_0: "1.0"
        case .http1_1: "1.1"
        case .http2: "2"
        }
    }
}
