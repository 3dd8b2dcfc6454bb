/// A listener's accepted streams not yet taken, and the one `accept()` waiting for the
/// next. Backends keep it in their loop-confined listener state.
package struct AcceptQueue<Stream: Sendable> {
    private var ready: [Stream] = []
    private var waiter: Waiter<Stream?>?
    private var failure: HTTPCoreError?
    package private(set) var isClosed = false

    package init() {}

    package mutating func offer(_ stream: Stream) {
        if let waiter, waiter.resume(returning: stream) {
            self.waiter = nil
        } else {
            waiter = nil
            ready.append(stream)
        }
    }

    /// An accept failed: the next `accept()` reports it.
    package mutating func fail(_ error: HTTPCoreError) { failure = error }

    package mutating func accept(_ next: Waiter<Stream?>) {
        if !ready.isEmpty {
            next.resume(returning: ready.removeFirst())
        } else if isClosed {
            next.resume(returning: nil)
        } else if let failure {
            self.failure = nil
            next.resume(throwing: failure)
        } else {
            waiter = next
        }
    }

    package mutating func cancel(_ cancelled: Waiter<Stream?>) {
        if let waiter, waiter.isSame(as: cancelled) { self.waiter = nil }
    }

    /// Drops unaccepted streams and ends a waiting `accept()` with nil.
    package mutating func close() {
        isClosed = true
        ready = []
        waiter?.resume(returning: nil)
        waiter = nil
    }
}
