import HTTPCore

/// One request/response on the connection: its id, the limits that apply to it, and the
/// upload task of a streamed request body, which lives exactly as long as the exchange.
final class HTTP1Exchange: Sendable {
    private struct State {
        var wroteAnything = false
        var upload: Task<Void, Never>?
        var uploadStopped = false
        var uploadFailure: HTTPCoreError?
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

    /// Whether any write was attempted (after that, the peer may have seen the request).
    var wroteAnything: Bool { state.withLock { $0.wroteAnything } }
    func markWriting() { state.withLock { $0.wroteAnything = true } }

    /// Ties the upload task to the exchange. A stop that came first cancels it at once, so
    /// no ordering between starting and stopping can leave an upload running.
    func attachUpload(_ task: Task<Void, Never>) {
        let stopped = state.withLock { state in
            state.upload = task
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

    /// Waits for the upload task to end; cancelling the waiter cancels the upload.
    func awaitUpload() async {
        guard let task = state.withLock({ $0.upload }) else { return }
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    /// The error that ended a live upload: what the reader reports instead of the
    /// "connection closed" it sees as a consequence.
    var uploadFailure: HTTPCoreError? { state.withLock { $0.uploadFailure } }
    func recordUploadFailure(_ error: HTTPCoreError) { state.withLock { $0.uploadFailure = error } }
}
