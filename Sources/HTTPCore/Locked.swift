#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// State guarded by a `pthread_mutex`, in one heap allocation.
///
/// A value with reference semantics: copies share the state and the lock. The state and
/// the mutex live in one `ManagedBuffer` (the mutex tail-allocated, so its address never
/// moves, as pthread requires), which halves what a lock used to cost: the request path
/// makes several per request (issue 17 counted 2 allocations for each before).
///
/// Not `Synchronization.Mutex`: PLATFORM-NOTES records ThreadSanitizer reporting races on
/// state touched only inside `Mutex.withLock` on this toolchain, and none with a pthread lock.
/// Shared by every module of the package (`package` access), never public.
package struct Locked<State>: @unchecked Sendable {
    // @unchecked: the state is read and written only inside `withLock`, which holds the
    // buffer's mutex; the buffer reference itself never changes.
    private let buffer: LockedBuffer<State>

    package init(_ state: State) { buffer = LockedBuffer.make(state) }

    @inline(__always)
    package func withLock<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R {
        try buffer.withUnsafeMutablePointers { state, mutex throws(E) in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&state.pointee)
        }
    }

    /// Whether two values share one lock (the identity a class reference would give).
    package func isSame(as other: Locked<State>) -> Bool { buffer === other.buffer }
}

extension Locked where State: Sendable {
    package var value: State { withLock { $0 } }
}

/// The header is the state, the single element the mutex. `ManagedBuffer` destroys the
/// header itself; the element is destroyed here.
private final class LockedBuffer<State>: ManagedBuffer<State, pthread_mutex_t> {
    static func make(_ state: State) -> LockedBuffer<State> {
        let buffer = unsafeDowncast(create(minimumCapacity: 1) { _ in state }, to: LockedBuffer<State>.self)
        buffer.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            pthread_mutex_init(mutex, nil)
        }
        return buffer
    }

    deinit {
        withUnsafeMutablePointerToElements { mutex in
            pthread_mutex_destroy(mutex)
            mutex.deinitialize(count: 1)
        }
    }
}
