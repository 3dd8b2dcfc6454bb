// Public imports only so that the inlinable lock below may name pthread: nothing public
// in this module exposes the C library.
#if canImport(Glibc)
public import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
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
    //
    // Inlinable, so every module specialises its locks: an unspecialised generic call
    // across modules looks up type metadata at run time, which a profile showed on every
    // wake-up.
    @usableFromInline let buffer: LockedBuffer<State>

    @inlinable
    package init(_ state: State) { buffer = LockedBuffer.make(state) }

    @inlinable
    package func withLock<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R {
        try buffer.withUnsafeMutablePointers { state, mutex throws(E) in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&state.pointee)
        }
    }

    /// Whether two values share one lock (the identity a class reference would give).
    @inlinable
    package func isSame(as other: Locked<State>) -> Bool { buffer === other.buffer }
}

extension Locked where State: Sendable {
    @inlinable
    package var value: State { withLock { $0 } }
}

/// The header is the state, the single element the mutex. `ManagedBuffer` destroys the
/// header itself; the element is destroyed here.
@usableFromInline
final class LockedBuffer<State>: ManagedBuffer<State, pthread_mutex_t> {
    @inlinable
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
