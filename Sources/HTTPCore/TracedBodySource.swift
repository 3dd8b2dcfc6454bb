/// A response body source that reports its progress to a `RequestTrace`: the first body
/// byte, trailers, and how it ended (read to its end, let go, or failed) with the bytes
/// read. The pool wraps a traced request's body in it; an untraced body never pays for it.
package final class TracedBodySource: ResponseBodySource {
    private struct State {
        var bytes: Int64 = 0
        var ended = false
    }

    private let inner: any ResponseBodySource
    private let trace: RequestTrace
    private let clock: any HTTPClock
    private let state = Locked(State())

    package init(_ inner: any ResponseBodySource, trace: RequestTrace, clock: any HTTPClock) {
        self.inner = inner
        self.trace = trace
        self.clock = clock
    }

    package func nextPart() async throws -> ResponseBodyPart {
        let part: ResponseBodyPart
        do {
            part = try await inner.nextPart()
        } catch {
            if end() != nil { trace.record(.failed(HTTPCoreError.from(error, default: .readFailed)), at: clock.now) }
            throw error
        }
        switch part {
        case .data(let bytes):
            let first = state.withLock { state in
                defer { state.bytes += Int64(bytes.count) }
                return state.bytes == 0 && !bytes.isEmpty
            }
            if first { trace.record(.responseFirstBodyByte, at: clock.now) }
        case .end(let trailers):
            if let bytes = end() {
                let now = clock.now
                if let trailers { trace.record(.trailersReceived(count: trailers.count), at: now) }
                trace.record(.responseEnded(bytes: bytes), at: now)
            }
        }
        return part
    }

    package func release() {
        inner.release()
        if let bytes = end() { trace.record(.responseAbandoned(bytes: bytes), at: clock.now) }
    }

    /// Marks the end; the bytes read, or nil if it had already ended.
    private func end() -> Int64? {
        state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return state.bytes
        }
    }
}
