import Dispatch
import HTTPCore

/// A serial queue as a Swift executor: actors pin to it (`SerialExecutor`) and tasks
/// prefer it (`taskExecutor`), so socket events, connection code and continuation resumes
/// share one queue. On Linux `DispatchQueue` is not itself a `SerialExecutor`, hence this
/// wrapper (PLATFORM-NOTES).
final class DispatchLoop: SerialExecutor, @unchecked Sendable {
    // @unchecked: immutable apart from `remoteEnqueues`, which is locked.
    let queue: DispatchQueue
    private let key = DispatchSpecificKey<ObjectIdentifier>()
    lazy var taskExecutor = DispatchLoopTaskExecutor(loop: self)
    /// Jobs and closures enqueued from off the queue: each one is a hop onto it.
    let remoteEnqueues = Locked(0)
    /// One read buffer per loop: data is copied out at once.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: key, value: ObjectIdentifier(self))
        _ = taskExecutor
    }

    deinit { readBuffer.deallocate() }

    var isOnLoop: Bool { DispatchQueue.getSpecific(key: key) == ObjectIdentifier(self) }

    func assertOnLoop() { dispatchPrecondition(condition: .onQueue(queue)) }

    /// Runs `body` on the queue: now if already there, else soon.
    func execute(_ body: @escaping @Sendable () -> Void) {
        if isOnLoop { return body() }
        remoteEnqueues.withLock { $0 += 1 }
        queue.async(execute: body)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !isOnLoop { remoteEnqueues.withLock { $0 += 1 } }
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    func checkIsolated() { dispatchPrecondition(condition: .onQueue(queue)) }
}

final class DispatchLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: holds only an unowned reference to its loop, which outlives it.
    unowned let loop: DispatchLoop
    init(loop: DispatchLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let loop = loop
        if !loop.isOnLoop { loop.remoteEnqueues.withLock { $0 += 1 } }
        loop.queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }
}
