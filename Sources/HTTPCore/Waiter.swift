/// A one-shot suspension point that is safe against every race the platform notes list:
/// the "already finished?" check sits inside the continuation body, cancellation resumes
/// it, and whoever resumes first wins (`resume` reports whether it did, so an owner that
/// hands data to a waiter cancelled a moment earlier keeps the data).
///
/// A value with reference semantics (copies share one wait), one heap allocation: every
/// read and write of a backend stream makes one, so it costs no more than its lock.
///
/// Inlinable (with `Locked`), so each module specialises it: an unspecialised call across
/// modules looked up type metadata on every resume.
package struct Waiter<Value: Sendable>: Sendable {
    @usableFromInline
    struct State {
        /// Checked, though the lock already makes `resume` take it exactly once: with an
        /// unsafe continuation (one allocation less per wait) ThreadSanitizer reported a
        /// race between the resumer and the resumed task's frame, most likely the
        /// runtime's fast path for a continuation resumed before its task suspends, which
        /// it cannot see. The suite must stay clean under TSan, so the canary stays.
        @usableFromInline var continuation: CheckedContinuation<Value, any Error>?
        @usableFromInline var result: Result<Value, any Error>?

        @inlinable init() {}
    }

    @usableFromInline let state: Locked<State>

    @inlinable
    package init() { state = Locked(State()) }

    /// Whether `other` is a copy of this waiter.
    @inlinable
    package func isSame(as other: Waiter<Value>) -> Bool { state.isSame(as: other.state) }

    /// Suspends until `resume`, or throws `.cancelled` when the task is cancelled; then
    /// `onCancel` runs (on the cancelling thread) so the owner can drop its side.
    /// Not escaping: a closure literal passed here costs no allocation (every read and
    /// write of a backend stream waits with one).
    @inlinable
    package func wait(onCancel: @Sendable () -> Void = {}) async throws -> Value {
        // Takes the lock once more after waking. The resumer stored the result under it
        // before resuming, so this orders everything the resumer wrote before `resume`
        // ahead of what the woken task reads next, in a way ThreadSanitizer sees. The
        // runtime orders resume and wake-up itself, but TSan missed that edge: it reported
        // a socket made on a libuv loop thread, handed over through a waiter, as racing
        // with the woken task's first read of it. One uncontended lock, no allocation.
        defer { state.withLock { _ in } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = state.withLock { state in
                    if let result = state.result { return result }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            if resume(throwing: HTTPCoreError(.cancelled, "the task was cancelled")) { onCancel() }
        }
    }

    /// Finishes the wait; false if it had already finished (the value was not taken).
    @inlinable @discardableResult
    package func resume(with result: Result<Value, any Error>) -> Bool {
        let (won, continuation) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            defer { state.continuation = nil }
            return (true, state.continuation)
        }
        continuation?.resume(with: result)
        return won
    }

    @inlinable @discardableResult
    package func resume(returning value: Value) -> Bool { resume(with: .success(value)) }

    @inlinable @discardableResult
    package func resume(throwing error: any Error) -> Bool { resume(with: .failure(error)) }

    /// The outcome, if `resume` already ran (lets a caller skip suspending).
    @inlinable
    package var finishedResult: Result<Value, any Error>? { state.withLock { $0.result } }

    @inlinable
    package var isFinished: Bool { state.withLock { $0.result != nil } }
}

extension Waiter where Value == [UInt8]? {
    /// Hands a read result over. Returns the bytes if the waiter did not take them (it
    /// was cancelled that instant), so the caller can keep them for the next read.
    package func deliver(_ ready: Result<[UInt8]?, HTTPCoreError>) -> [UInt8]? {
        switch ready {
        case .success(let bytes?): return resume(returning: bytes) ? nil : bytes
        case .success(nil): resume(returning: nil)
        case .failure(let error): resume(throwing: error)
        }
        return nil
    }
}

/// Identity, as for a class: true when both are copies of one waiter (or both nil).
package func === <Value>(lhs: Waiter<Value>?, rhs: Waiter<Value>?) -> Bool {
    switch (lhs, rhs) {
    case let (lhs?, rhs?): lhs.isSame(as: rhs)
    case (nil, nil): true
    default: false
    }
}
