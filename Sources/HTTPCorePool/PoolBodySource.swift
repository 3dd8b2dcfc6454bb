import HTTPCore
import HTTPTypes
import Synchronization

/// A response body that hands its connection back to the pool when it ends, fails, or is
/// dropped: the request's hold on the connection lasts exactly as long as its body.
final class PoolBodySource: ResponseBodySource {
    private let inner: any ResponseBodySource
    private let onDone: @Sendable () -> Void
    private let done = Atomic(false)

    init(_ inner: any ResponseBodySource, onDone: @escaping @Sendable () -> Void) {
        self.inner = inner
        self.onDone = onDone
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
        if !done.exchange(true, ordering: .acquiringAndReleasing) { onDone() }
    }
}
