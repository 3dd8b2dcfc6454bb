import HTTPCore
import HTTPTypes

/// Feeds a `ResponseBody` from one stream's buffered DATA. Taking bytes reopens the
/// flow-control windows (WINDOW_UPDATE), so the peer sends only as fast as we read.
final class HTTP2ResponseBodySource: ResponseBodySource {
    let connection: HTTP2Connection
    let id: Int32
    private let finished = Locked(false)

    init(connection: HTTP2Connection, id: Int32) {
        self.connection = connection
        self.id = id
    }

    private enum Step {
        case data([UInt8], flush: Bool)
        case end(HTTPFields?)
        case wait(Waiter<Void>)
    }

    func nextPart() async throws -> ResponseBodyPart {
        while true {
            let id = self.id
            let step = try connection.core.withLock { core throws(HTTPCoreError) -> Step in
                guard var state = core.streams[id] else {
                    throw HTTPCoreError(.connectionClosed, "the stream is gone")
                }
                if state.hasBufferedBody {
                    let chunk = state.takeChunk()
                    core.streams[id] = state
                    core.session.consume(chunk.count, stream: id)
                    core.streams[id]!.deadline = nil
                    return .data(chunk, flush: core.session.wantsWrite)
                }
                if let error = state.error {
                    core.streams[id] = nil
                    throw error
                }
                if state.ended {
                    // Forget the stream now if it is closed; otherwise its close does it.
                    if state.holdsSlot {
                        state.consumerDone = true
                        core.streams[id] = state
                    } else {
                        core.streams[id] = nil
                    }
                    return .end(state.trailers)
                }
                let waiter = Waiter<Void>()
                state.bodyWaiter = waiter
                core.streams[id] = state
                if state.deadline == nil {
                    core.armWait(state.readTimeout, now: connection.clock.now, stream: id)
                }
                return .wait(waiter)
            }
            switch step {
            case .data(let chunk, let flush):
                // A WINDOW_UPDATE is due (nghttp2 batches them to half a window).
                if flush { connection.scheduleFlush() }
                return .data(chunk)
            case .end(let trailers):
                finished.withLock { $0 = true }
                return .end(trailers)
            case .wait(let waiter):
                let connection = self.connection
                try await waiter.wait { connection.cancelStream(id) }
            }
        }
    }

    func release() {
        guard !finished.withLock({ $0 }) else { return }
        connection.cancelStream(id)
    }
}
