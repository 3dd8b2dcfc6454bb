import Synchronization

/// A source that calls `onFinish` once when it ends, fails or is released: what
/// `ResponseBody.takeSource` hands on when the body had a completion (`onFinish`), so the
/// pool still gets its connection back when a decoder reads the body.
final class FinishingBodySource: ResponseBodySource {
    private let inner: any ResponseBodySource
    private let onFinish: @Sendable () -> Void
    private let done = Atomic(false)

    init(_ inner: any ResponseBodySource, onFinish: @escaping @Sendable () -> Void) {
        self.inner = inner
        self.onFinish = onFinish
    }

    func nextPart() async throws -> ResponseBodyPart {
        do {
            let part = try await inner.nextPart()
            if case .end = part { finish() }
            return part
        } catch {
            finish()
            throw error
        }
    }

    func release() {
        inner.release()
        finish()
    }

    private func finish() {
        if !done.exchange(true, ordering: .acquiringAndReleasing) { onFinish() }
    }
}
