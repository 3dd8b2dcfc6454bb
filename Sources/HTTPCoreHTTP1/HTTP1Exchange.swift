import HTTPCore
import HTTPTypes

/// One request/response on the connection: its id, the limits that apply to it, and the
/// upload task of a streamed request body, which lives exactly as long as the exchange.
final class HTTP1Exchange: Sendable {
    private struct State {
        var wroteAnything = false
        var upload: Task<Void, Never>?
        /// Resumed when the upload task ends; what a reader waiting for the upload waits
        /// on, so cancellation or the deadline frees the reader even from a body source
        /// that ignores cancellation.
        var uploadEnded: Waiter<Void>?
        var uploadStopped = false
        var uploadFailure: HTTPCoreError?
        /// The response's trailers, kept here for the body source (one lock fewer per
        /// response than a lock of its own).
        var trailers: HTTPFields?
    }

    let id: UInt64
    let options: RequestOptions
    /// The request's total deadline, if it has one.
    let deadline: HTTPInstant?
    private let state = Locked(State())

    init(id: UInt64, options: RequestOptions, deadline: HTTPInstant?) {
        self.id = id
        self.options = options
        self.deadline = deadline
    }

    /// The response's trailers, once its chunked body has ended with some.
    var trailers: HTTPFields? {
        get { state.withLock { $0.trailers } }
        set { state.withLock { $0.trailers = newValue } }
    }

    /// Whether any write was attempted (after that, the peer may have seen the request).
    var wroteAnything: Bool { state.withLock { $0.wroteAnything } }
    func markWriting() { state.withLock { $0.wroteAnything = true } }

    /// Ties the upload task to the exchange (`ended` is resumed by the task as it ends).
    /// A stop that came first cancels it at once, so no ordering between starting and
    /// stopping can leave an upload running.
    func attachUpload(_ task: Task<Void, Never>, ended: Waiter<Void>) {
        let stopped = state.withLock { state in
            state.upload = task
            state.uploadEnded = ended
            return state.uploadStopped
        }
        if stopped { task.cancel() }
    }

    /// Cancels the upload (if any): its body source is let go once the pending pull or
    /// write sees the cancellation.
    func stopUpload() {
        state.withLock { state in
            state.uploadStopped = true
            return state.upload
        }?.cancel()
    }

    /// Waits for the upload task to end. Cancellation, or the total deadline on `clock`,
    /// ends the wait at once with `.cancelled` or `.totalTimeout`, recorded as the
    /// exchange's failure before the upload is stopped (so the upload's own cancellation
    /// error, which follows, does not replace the cause).
    func awaitUpload(clock: any HTTPClock) async throws {
        guard let ended = state.withLock({ $0.uploadEnded }) else { return }
        let watchdog = deadline.map { deadline in
            Task { [self] in
                guard (try? await clock.sleep(until: deadline)) != nil else { return }
                let timeout = HTTPCoreError(.totalTimeout, "the request's total deadline passed while the body was uploading")
                if ended.resume(throwing: timeout) { stop(with: timeout) }
            }
        }
        defer { watchdog?.cancel() }
        try await ended.wait { [self] in stop(with: HTTPCoreError(.cancelled, "the task was cancelled")) }
    }

    private func stop(with cause: HTTPCoreError) {
        recordUploadFailure(cause)
        stopUpload()
    }

    /// The error that ended a live upload: what the reader reports instead of the
    /// "connection closed" it sees as a consequence. The first cause recorded stays.
    var uploadFailure: HTTPCoreError? { state.withLock { $0.uploadFailure } }
    func recordUploadFailure(_ error: HTTPCoreError) {
        state.withLock { state in
            if state.uploadFailure == nil { state.uploadFailure = error }
        }
    }
}
