#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// State guarded by a `pthread_mutex`.
///
/// Not `Synchronization.Mutex`: PLATFORM-NOTES records ThreadSanitizer reporting races on
/// state touched only inside `Mutex.withLock` on this toolchain, and none with a pthread lock.
/// Shared by every module of the package (`package` access), never public.
package final class Locked<State>: @unchecked Sendable {
    // @unchecked: `state` is read and written only inside `withLock`, which holds `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var state: State

    package init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    package func withLock<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}

extension Locked where State: Sendable {
    package var value: State { withLock { $0 } }
}
