// The one file that calls libuv. Everything else in this module sees Swift types:
// `UVLoop` (a loop thread that is also a Swift executor), `UVSocket` (a TCP or pipe
// handle), `UVTimer`, and `UVResolver`. Handles are loop-confined: every method here must
// run on the owning loop's thread (checked by `assertOnLoop`).
internal import CLibUV
import Dispatch
import HTTPCore
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Errors

enum UVStatus {
    /// Maps a libuv status to the `HTTPCoreError` callers branch on; nothing above this
    /// module sees `UV_E*`.
    static func error(_ status: Int32, during phase: HTTPCoreError.Phase) -> HTTPCoreError {
        let detail = "\(String(cString: uv_err_name(status))): \(String(cString: uv_strerror(status)))"
        switch status {
        case UV_ECONNREFUSED.rawValue:
            return HTTPCoreError(.connectRefused, detail, processing: .notProcessed)
        case UV_ETIMEDOUT.rawValue where phase == .connect:
            return HTTPCoreError(.connectTimeout, detail, processing: .notProcessed)
        case UV_EAI_NONAME.rawValue, UV_EAI_AGAIN.rawValue, UV_EAI_NODATA.rawValue, UV_EAI_FAIL.rawValue,
             UV_EAI_FAMILY.rawValue, UV_EAI_SERVICE.rawValue:
            return HTTPCoreError(.hostNotFound, detail, processing: .notProcessed)
        case UV_ECONNRESET.rawValue where phase != .connect, UV_EPIPE.rawValue where phase != .connect,
             UV_ECONNABORTED.rawValue where phase != .connect:
            return HTTPCoreError(.connectionReset, detail)
        case UV_ECANCELED.rawValue:
            return HTTPCoreError(.cancelled, detail)
        default:
            switch phase {
            case .connect: return HTTPCoreError(.connectFailed, detail, processing: .notProcessed)
            case .write: return HTTPCoreError(.writeFailed, detail)
            default: return HTTPCoreError(.readFailed, detail)
            }
        }
    }
}

// MARK: - Loop

/// One libuv loop on its own thread. It is a `SerialExecutor` (actors pin to it) and
/// offers `taskExecutor` (tasks prefer it), so connection code, reads, writes and
/// continuation resumes all run on this thread.
///
/// Jobs from other threads go through a locked queue and `uv_async_send`; jobs enqueued on
/// the loop thread go to a local queue drained in the same iteration (a `uv_check`
/// handle, with `uv_idle` keeping poll from blocking while the queue is non-empty).
final class UVLoop: @unchecked Sendable {
    // @unchecked: `raw`, the handles and `local` are touched only on the loop thread
    // (every entry point either runs there or hops there through `remote`, which is
    // locked); `thread` is written once before `init` returns.
    enum Job {
        case serial(UnownedJob)
        case task(UnownedJob)
        case closure(() -> Void)
    }

    let raw: UnsafeMutablePointer<uv_loop_t>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    private let check: UnsafeMutablePointer<uv_check_t>
    private let idle: UnsafeMutablePointer<uv_idle_t>
    private var thread = pthread_t()
    private let remote = Locked<(jobs: [Job], stopped: Bool)>(([], false))
    /// Set on the loop when shutdown begins: new connects and listeners fail at once.
    private(set) var isShuttingDown = false
    /// Runs serial-executor jobs that arrive after the thread has exited.
    private let afterStop = DispatchQueue(label: "httpcore.libuv.stopped")
    private var local: [Job] = []
    /// Reused by every read callback on this loop: data is copied out at once.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    lazy var taskExecutor = UVLoopTaskExecutor(loop: self)
    /// Jobs that arrived from another thread: each one is an off-loop hop.
    let remoteEnqueues = Locked(0)

    init() {
        raw = .allocate(capacity: 1)
        uv_loop_init(raw)
        wakeup = .allocate(capacity: 1)
        check = .allocate(capacity: 1)
        idle = .allocate(capacity: 1)
        raw.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        uv_async_init(raw, wakeup) { handle in UVLoop.from(handle!.pointee.loop).drain() }
        uv_check_init(raw, check)
        uv_check_start(check) { handle in UVLoop.from(handle!.pointee.loop).drain() }
        uv_unref(UnsafeMutableRawPointer(check).assumingMemoryBound(to: uv_handle_t.self))
        uv_idle_init(raw, idle)
        // libuv never touches `data`: mark the loop's own handles as having no owner.
        wakeup.pointee.data = nil
        check.pointee.data = nil
        idle.pointee.data = nil
        _ = taskExecutor

        let started = DispatchSemaphore(value: 0)
        let context = Unmanaged.passRetained(ThreadStart(loop: self, started: started)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            let start = Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue()
            start.loop.thread = pthread_self()
            start.started.signal()
            start.loop.run()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed: \(status)")
        started.wait()
    }

    private final class ThreadStart {
        let loop: UVLoop
        let started: DispatchSemaphore
        init(loop: UVLoop, started: DispatchSemaphore) {
            self.loop = loop
            self.started = started
        }
    }

    static func from(_ loop: UnsafeMutablePointer<uv_loop_t>?) -> UVLoop {
        Unmanaged<UVLoop>.fromOpaque(loop!.pointee.data).takeUnretainedValue()
    }

    var isOnLoop: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Loop state is touched on the loop thread, or anywhere once the thread has exited.
    func assertOnLoop(_ file: StaticString = #fileID, line: UInt = #line) {
        assert(isOnLoop || remote.withLock { $0.stopped }, "libuv handle touched off its loop thread", file: file, line: line)
    }

    private func run() {
        uv_run(raw, UV_RUN_DEFAULT)
        // Shutdown closed every handle. Take what is still queued and refuse more: from now
        // on `enqueue` runs work itself (see `runAfterStop`).
        let leftover = remote.withLock { state -> [Job] in
            state.stopped = true
            defer { state.jobs = [] }
            return state.jobs
        }
        local.append(contentsOf: leftover)
        while !local.isEmpty {
            let batch = local
            local.removeAll()
            for job in batch { run(job) }
        }
        for handle in [UnsafeMutableRawPointer(wakeup), UnsafeMutableRawPointer(check), UnsafeMutableRawPointer(idle)] {
            uv_close(handle.assumingMemoryBound(to: uv_handle_t.self), nil)
        }
        uv_run(raw, UV_RUN_DEFAULT)
        uv_loop_close(raw)
    }

    /// Runs `body` on the loop thread: now if already there, else soon.
    func execute(_ body: @escaping @Sendable () -> Void) {
        if isOnLoop { body() } else { enqueue(.closure(body)) }
    }

    func enqueue(_ job: Job) {
        if isOnLoop {
            local.append(job)
            if local.count == 1 { uv_idle_start(idle) { _ in } }
        } else {
            // The send happens under the lock, so it can never reach a wakeup handle that
            // `run()` has already closed.
            let accepted = remote.withLock { state in
                guard !state.stopped else { return false }
                state.jobs.append(job)
                uv_async_send(wakeup)
                return true
            }
            if accepted {
                remoteEnqueues.withLock { $0 += 1 }
            } else {
                runAfterStop(job)
            }
        }
    }

    /// Work that arrives after the loop thread has exited must still run, or whoever
    /// awaits it waits forever. Nothing else touches the loop's state any more, so a closure
    /// runs here; tasks go to the global executor; serial jobs to a private queue.
    private func runAfterStop(_ job: Job) {
        switch job {
        case .closure(let body): body()
        case .task(let job): globalConcurrentExecutor.enqueue(ExecutorJob(job))
        case .serial(let job): afterStop.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
        }
    }

    private func drain() {
        let incoming = remote.withLock { state -> [Job] in
            defer { state.jobs.removeAll(keepingCapacity: true) }
            return state.jobs
        }
        local.append(contentsOf: incoming)
        // Jobs enqueued while draining run in this pass too, up to a bound, so I/O is
        // never starved; the idle handle keeps poll from blocking if any remain.
        var budget = 4096
        while !local.isEmpty, budget > 0 {
            let batch = local
            local.removeAll(keepingCapacity: true)
            budget -= batch.count
            for job in batch { run(job) }
        }
        if local.isEmpty { uv_idle_stop(idle) } else { uv_idle_start(idle) { _ in } }
    }

    private func run(_ job: Job) {
        switch job {
        case .serial(let job): job.runSynchronously(on: asUnownedSerialExecutor())
        case .task(let job): job.runSynchronously(on: taskExecutor.asUnownedTaskExecutor())
        case .closure(let body): body()
        }
    }

    /// Closes every handle (resuming whoever waits on them) and lets the thread finish.
    /// Call once (`LibUVBackend.shutdown` makes sure).
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            execute { [self] in
                isShuttingDown = true
                // The loop's own handles (no owner) stay open until `run()` ends; unref
                // the wakeup so the loop ends once everything else has closed.
                uv_walk(raw, { handle, _ in
                    guard let handle, handle.pointee.data != nil, uv_is_closing(handle) == 0 else { return }
                    UVHandle.close(handle)
                }, nil)
                uv_unref(UnsafeMutableRawPointer(wakeup).assumingMemoryBound(to: uv_handle_t.self))
                continuation.resume()
            }
        }
        let thread = self.thread
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Not a global queue: on Linux those threads also run Swift's tasks, and the
            // join blocks until the loop thread ends.
            DispatchQueue(label: "httpcore.libuv.join").async {
                pthread_join(thread, nil)
                continuation.resume()
            }
        }
    }

    deinit {
        readBuffer.deallocate()
        raw.deallocate()
        wakeup.deallocate()
        check.deallocate()
        idle.deallocate()
    }
}

extension UVLoop: SerialExecutor {
    func enqueue(_ job: consuming ExecutorJob) { enqueue(.serial(UnownedJob(job))) }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    func checkIsolated() {
        precondition(isOnLoop, "expected to run on the libuv loop thread")
    }
}

/// The loop as a task executor: tasks that prefer it run their code, and resume their
/// continuations, on the loop thread.
final class UVLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: holds only an unowned reference to its loop, which outlives it.
    unowned let loop: UVLoop
    init(loop: UVLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) { loop.enqueue(.task(UnownedJob(job))) }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }
}

// MARK: - Handles

/// Objects owned by a libuv handle: the handle's `data` holds a retained reference that
/// the close callback releases, so callbacks always find a live object.
protocol UVHandleOwner: AnyObject {
    func handleClosed()
}

enum UVHandle {
    static func close(_ handle: UnsafeMutablePointer<uv_handle_t>) {
        guard uv_is_closing(handle) == 0 else { return }
        uv_close(handle) { handle in UVHandle.closed(handle!) }
    }

    static func closed(_ handle: UnsafeMutablePointer<uv_handle_t>) {
        if let data = handle.pointee.data {
            let owner = Unmanaged<AnyObject>.fromOpaque(data).takeRetainedValue()
            handle.pointee.data = nil
            (owner as? UVHandleOwner)?.handleClosed()
            UnsafeMutableRawPointer(handle).deallocate()
        }
        // Handles without an owner are the loop's own (wakeup, check, idle): freed with it.
    }

    static func owner<T: AnyObject>(_ handle: UnsafeMutablePointer<uv_handle_t>?, as type: T.Type) -> T? {
        guard let data = handle?.pointee.data else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as? T
    }
}

/// A one-shot, restartable timer.
final class UVTimer: UVHandleOwner, @unchecked Sendable {
    // @unchecked: created and used only on its loop's thread (libuv handles are not
    // thread-safe); it crosses threads only as a reference carried to that loop.
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var fire: (() -> Void)?
    private var closed = false

    init(loop: UVLoop) {
        loop.assertOnLoop()
        handle = .allocate(capacity: 1)
        uv_timer_init(loop.raw, handle)
        handle.pointee.data = UnsafeMutableRawPointer(Unmanaged.passRetained(self as AnyObject).toOpaque())
    }

    private var base: UnsafeMutablePointer<uv_handle_t> { UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self) }

    /// Fires `body` once after `delay` (rounded up to whole milliseconds), never before:
    /// libuv counts from the loop's cached time, which lags the clock by the work done
    /// since the loop last woke and by its truncation to a millisecond, so the time is
    /// refreshed first and a millisecond added. (A timer firing early made a read at the
    /// total deadline report `.readTimeout`: the fault tests' slow link.)
    func start(after delay: Duration, _ body: @escaping () -> Void) {
        guard !closed else { return }
        fire = body
        uv_update_time(handle.pointee.loop)
        let nanoseconds = max(0, delay.nanosecondsClamped) + 1_000_000
        uv_timer_start(handle, { handle in
            guard let timer = UVHandle.owner(UnsafeMutableRawPointer(handle)?.assumingMemoryBound(to: uv_handle_t.self), as: UVTimer.self) else { return }
            let body = timer.fire
            timer.fire = nil
            body?()
        }, UInt64((nanoseconds + 999_999) / 1_000_000), 0)
    }

    func stop() {
        fire = nil
        if !closed { uv_timer_stop(handle) }
    }

    func close() {
        guard !closed else { return }
        closed = true
        fire = nil
        UVHandle.close(base)
    }

    func handleClosed() { closed = true }
}

/// A TCP or Unix-domain stream handle.
final class UVSocket: UVHandleOwner, @unchecked Sendable {
    // @unchecked: every method runs on `loop`'s thread (asserted where a handle is made);
    // the object crosses threads only as a reference handed back to that loop.
    enum Kind { case tcp, pipe }

    let kind: Kind
    let loop: UVLoop
    private let handle: UnsafeMutableRawPointer
    /// Data (`[UInt8]`), EOF (`nil`) or an error, as they arrive while reading.
    var onRead: ((Result<[UInt8]?, HTTPCoreError>) -> Void)?
    var onConnection: ((Int32) -> Void)?
    var onClose: (() -> Void)?
    private(set) var isClosed = false
    private(set) var isReading = false

    /// A TCP socket whose file descriptor exists at once (so options apply before connect).
    init(tcpFor ipv6: Bool, loop: UVLoop) throws(HTTPCoreError) {
        loop.assertOnLoop()
        self.kind = .tcp
        self.loop = loop
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        handle = UnsafeMutableRawPointer(tcp)
        let status = uv_tcp_init_ex(loop.raw, tcp, UInt32(ipv6 ? AF_INET6 : AF_INET))
        guard status == 0 else {
            tcp.deallocate()
            throw UVStatus.error(status, during: .connect)
        }
        adopt()
    }

    /// A handle for `uv_accept` or a Unix socket.
    init(kind: Kind, loop: UVLoop) throws(HTTPCoreError) {
        loop.assertOnLoop()
        self.kind = kind
        self.loop = loop
        let status: Int32
        switch kind {
        case .tcp:
            let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
            handle = UnsafeMutableRawPointer(tcp)
            status = uv_tcp_init(loop.raw, tcp)
        case .pipe:
            let pipe = UnsafeMutablePointer<uv_pipe_t>.allocate(capacity: 1)
            handle = UnsafeMutableRawPointer(pipe)
            status = uv_pipe_init(loop.raw, pipe, 0)
        }
        guard status == 0 else {
            handle.deallocate()
            throw UVStatus.error(status, during: .connect)
        }
        adopt()
    }

    private func adopt() {
        base.pointee.data = UnsafeMutableRawPointer(Unmanaged.passRetained(self as AnyObject).toOpaque())
    }

    private var base: UnsafeMutablePointer<uv_handle_t> { handle.assumingMemoryBound(to: uv_handle_t.self) }
    private var stream: UnsafeMutablePointer<uv_stream_t> { handle.assumingMemoryBound(to: uv_stream_t.self) }
    private var tcp: UnsafeMutablePointer<uv_tcp_t> { handle.assumingMemoryBound(to: uv_tcp_t.self) }
    private var pipe: UnsafeMutablePointer<uv_pipe_t> { handle.assumingMemoryBound(to: uv_pipe_t.self) }

    var fileDescriptor: Int32? {
        guard !isClosed else { return nil }
        var fd: uv_os_fd_t = -1
        return uv_fileno(base, &fd) == 0 ? fd : nil
    }

    func setOption(_ option: SocketOption) throws(HTTPCoreError) {
        guard let fd = fileDescriptor else { throw HTTPCoreError(.connectFailed, "no socket to set options on") }
        var value = option.value
        guard setsockopt(fd, option.level, option.name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw HTTPCoreError(.connectFailed, "setsockopt(\(option.level), \(option.name)) failed: errno \(errno)", processing: .notProcessed)
        }
    }

    func option(level: Int32, name: Int32) -> Int32? {
        guard let fd = fileDescriptor else { return nil }
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : nil
    }

    func bind(ip: String, port: Int) throws(HTTPCoreError) {
        var storage = sockaddr_storage()
        try UVSocket.fill(&storage, ip: ip, port: port)
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_tcp_bind(tcp, $0, 0) }
        }
        guard status == 0 else { throw UVStatus.error(status, during: .connect) }
    }

    func bindPipe(path: String) throws(HTTPCoreError) {
        let status = uv_pipe_bind(pipe, path)
        guard status == 0 else { throw UVStatus.error(status, during: .connect) }
    }

    static func fill(_ storage: inout sockaddr_storage, ip: String, port: Int) throws(HTTPCoreError) {
        let status = withUnsafeMutablePointer(to: &storage) { pointer -> Int32 in
            if ip.contains(":") {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { uv_ip6_addr(ip, Int32(port), $0) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { uv_ip4_addr(ip, Int32(port), $0) }
        }
        guard status == 0 else { throw HTTPCoreError(.connectFailed, "\(ip) is not an IP address", processing: .notProcessed) }
    }

    /// Connects; `completion` runs on the loop with nil on success.
    func connect(to address: ResolvedAddress, _ completion: @escaping (HTTPCoreError?) -> Void) {
        var storage = sockaddr_storage()
        do {
            try UVSocket.fill(&storage, ip: address.ip, port: address.port)
        } catch {
            completion(error)
            return
        }
        let request = UVRequest<uv_connect_t>(completion)
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                uv_tcp_connect(request.raw, tcp, address) { request, status in
                    UVRequest<uv_connect_t>.finish(request, status, phase: .connect)
                }
            }
        }
        if status != 0 { request.fail(UVStatus.error(status, during: .connect)) }
    }

    func connectPipe(path: String, _ completion: @escaping (HTTPCoreError?) -> Void) {
        let request = UVRequest<uv_connect_t>(completion)
        uv_pipe_connect(request.raw, pipe, path) { request, status in
            UVRequest<uv_connect_t>.finish(request, status, phase: .connect)
        }
    }

    func startReading() {
        guard !isReading, !isClosed else { return }
        let status = uv_read_start(stream, { handle, _, buffer in
            let loop = UVLoop.from(handle!.pointee.loop)
            buffer!.pointee = uv_buf_init(loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(loop.readBuffer.count))
        }, { stream, count, buffer in
            let handle = UnsafeMutableRawPointer(stream)?.assumingMemoryBound(to: uv_handle_t.self)
            guard let socket = UVHandle.owner(handle, as: UVSocket.self) else { return }
            if count > 0 {
                let bytes = [UInt8](UnsafeRawBufferPointer(start: buffer!.pointee.base, count: count))
                socket.onRead?(.success(bytes))
            } else if count == Int(UV_EOF.rawValue) {
                socket.stopReading()
                // libuv reports UV_EOF for a POLLHUP that came with data (uv__stream_io's
                // short cut) without reading the socket's error: a RST after data would
                // look like a clean close. The pending error says which it was.
                if let pending = socket.option(level: SOL_SOCKET, name: SO_ERROR), pending != 0 {
                    socket.onRead?(.failure(UVStatus.error(-pending, during: .read)))
                } else {
                    socket.onRead?(.success(nil))
                }
            } else if count < 0 {
                socket.stopReading()
                socket.onRead?(.failure(UVStatus.error(Int32(count), during: .read)))
            }
        })
        if status == 0 {
            isReading = true
        } else {
            onRead?(.failure(UVStatus.error(status, during: .read)))
        }
    }

    func stopReading() {
        guard isReading else { return }
        isReading = false
        uv_read_stop(stream)
    }

    /// Writes what the kernel takes now without queueing; returns the count written.
    func tryWrite(_ bytes: ArraySlice<UInt8>) -> Result<Int, HTTPCoreError> {
        guard !isClosed else { return .failure(HTTPCoreError(.connectionClosed, "the socket is closed")) }
        return bytes.withUnsafeBytes { raw in
            var buffer = uv_buf_init(UnsafeMutablePointer(mutating: raw.baseAddress?.assumingMemoryBound(to: CChar.self)), UInt32(raw.count))
            let status = uv_try_write(stream, &buffer, 1)
            if status >= 0 { return .success(Int(status)) }
            if status == UV_EAGAIN.rawValue { return .success(0) }
            return .failure(UVStatus.error(status, during: .write))
        }
    }

    /// Queues `bytes` (copied: libuv needs them until the callback).
    func write(_ bytes: ArraySlice<UInt8>, _ completion: @escaping (HTTPCoreError?) -> Void) {
        guard !isClosed else { return completion(HTTPCoreError(.connectionClosed, "the socket is closed")) }
        let request = UVRequest<uv_write_t>(completion, copying: bytes)
        var buffer = uv_buf_init(request.bytes?.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
        let status = uv_write(request.raw, stream, &buffer, 1) { request, status in
            UVRequest<uv_write_t>.finish(request, status, phase: .write)
        }
        if status != 0 { request.fail(UVStatus.error(status, during: .write)) }
    }

    /// Sends FIN once queued writes are flushed.
    func shutdown(_ completion: @escaping (HTTPCoreError?) -> Void) {
        guard !isClosed else { return completion(nil) }
        let request = UVRequest<uv_shutdown_t>(completion)
        let status = uv_shutdown(request.raw, stream) { request, status in
            UVRequest<uv_shutdown_t>.finish(request, status, phase: .write)
        }
        if status != 0 { request.fail(UVStatus.error(status, during: .write)) }
    }

    /// Closes the handle; `reset` sends RST (TCP only) instead of FIN.
    func close(reset: Bool) {
        guard !isClosed else { return }
        isClosed = true
        isReading = false
        if reset, kind == .tcp, uv_is_closing(base) == 0,
           uv_tcp_close_reset(tcp, { handle in UVHandle.closed(handle!) }) == 0 {
            return
        }
        UVHandle.close(base)
    }

    func handleClosed() {
        isClosed = true
        onRead = nil
        onConnection = nil
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
    }

    func listen(backlog: Int32) throws(HTTPCoreError) {
        let status = uv_listen(stream, backlog) { server, status in
            let handle = UnsafeMutableRawPointer(server)?.assumingMemoryBound(to: uv_handle_t.self)
            UVHandle.owner(handle, as: UVSocket.self)?.onConnection?(status)
        }
        guard status == 0 else { throw UVStatus.error(status, during: .connect) }
    }

    func accept(into client: UVSocket) throws(HTTPCoreError) {
        let status = uv_accept(stream, client.stream)
        guard status == 0 else { throw UVStatus.error(status, during: .connect) }
    }

    var localAddress: SocketAddress? { address(peer: false) }
    var remoteAddress: SocketAddress? { address(peer: true) }

    private func address(peer: Bool) -> SocketAddress? {
        guard !isClosed else { return nil }
        switch kind {
        case .pipe:
            var buffer = [CChar](repeating: 0, count: 256)
            var size = buffer.count
            let status = peer ? uv_pipe_getpeername(pipe, &buffer, &size) : uv_pipe_getsockname(pipe, &buffer, &size)
            return status == 0 ? .unix(path: cString(buffer.prefix(size))) : nil
        case .tcp:
            var storage = sockaddr_storage()
            var length = Int32(MemoryLayout<sockaddr_storage>.size)
            let status = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    peer ? uv_tcp_getpeername(tcp, $0, &length) : uv_tcp_getsockname(tcp, $0, &length)
                }
            }
            return status == 0 ? UVSocket.socketAddress(&storage) : nil
        }
    }

    static func socketAddress(_ storage: inout sockaddr_storage) -> SocketAddress? {
        var name = [CChar](repeating: 0, count: 64)
        return withUnsafeMutablePointer(to: &storage) { pointer -> SocketAddress? in
            if Int32(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    uv_ip6_name(address, &name, name.count)
                    return .inet(host: cString(name), port: Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                uv_ip4_name(address, &name, name.count)
                return .inet(host: cString(name), port: Int(UInt16(bigEndian: address.pointee.sin_port)))
            }
        }
    }
}

/// A libuv request (connect, write, shutdown) with its completion and, for writes, the
/// bytes libuv reads until the callback. Retained by the request's `data` until then.
final class UVRequest<Raw> {
    let raw: UnsafeMutablePointer<Raw>
    let bytes: UnsafeMutableRawBufferPointer?
    private let completion: (HTTPCoreError?) -> Void

    init(_ completion: @escaping (HTTPCoreError?) -> Void, copying source: ArraySlice<UInt8>? = nil) {
        self.completion = completion
        raw = .allocate(capacity: 1)
        if let source {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 1)
            source.withUnsafeBytes { buffer.copyMemory(from: $0) }
            bytes = buffer
        } else {
            bytes = nil
        }
        UnsafeMutableRawPointer(raw).assumingMemoryBound(to: uv_req_t.self).pointee.data =
            Unmanaged.passRetained(self).toOpaque()
    }

    static func finish(_ raw: UnsafeMutablePointer<Raw>?, _ status: Int32, phase: HTTPCoreError.Phase) {
        let base = UnsafeMutableRawPointer(raw!).assumingMemoryBound(to: uv_req_t.self)
        let request = Unmanaged<UVRequest<Raw>>.fromOpaque(base.pointee.data).takeRetainedValue()
        request.completion(status == 0 ? nil : UVStatus.error(status, during: phase))
    }

    /// The request was refused synchronously: no callback will come.
    func fail(_ error: HTTPCoreError) {
        let base = UnsafeMutableRawPointer(raw).assumingMemoryBound(to: uv_req_t.self)
        Unmanaged<UVRequest<Raw>>.fromOpaque(base.pointee.data).release()
        completion(error)
    }

    deinit {
        bytes?.deallocate()
        raw.deallocate()
    }
}

// MARK: - Name resolution

enum UVResolver {
    /// IP literals answer at once; names go through `uv_getaddrinfo` on libuv's pool.
    static func resolve(host: String, port: Int, loop: UVLoop, _ completion: @escaping (Result<[ResolvedAddress], HTTPCoreError>) -> Void) {
        var storage = sockaddr_storage()
        if (try? UVSocket.fill(&storage, ip: host, port: port)) != nil {
            completion(.success([ResolvedAddress(ip: host, port: port, isIPv6: host.contains(":"))]))
            return
        }
        let request = UnsafeMutablePointer<uv_getaddrinfo_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged.passRetained(Box(completion: completion, port: port)).toOpaque()
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        let status = uv_getaddrinfo(loop.raw, request, { request, status, results in
            let box = Unmanaged<Box>.fromOpaque(request!.pointee.data).takeRetainedValue()
            request!.deallocate()
            defer { uv_freeaddrinfo(results) }
            guard status == 0 else {
                box.completion(.failure(UVStatus.error(status, during: .connect)))
                return
            }
            var addresses: [ResolvedAddress] = []
            var cursor = results
            while let entry = cursor {
                if let address = entry.pointee.ai_addr {
                    var storage = sockaddr_storage()
                    withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen))) }
                    if case .inet(let ip, _) = UVSocket.socketAddress(&storage) {
                        let resolved = ResolvedAddress(ip: ip, port: box.port, isIPv6: entry.pointee.ai_family == AF_INET6)
                        if !addresses.contains(resolved) { addresses.append(resolved) }
                    }
                }
                cursor = entry.pointee.ai_next
            }
            box.completion(.success(addresses))
        }, host, nil, &hints)
        if status != 0 {
            let box = Unmanaged<Box>.fromOpaque(request.pointee.data).takeRetainedValue()
            request.deallocate()
            box.completion(.failure(UVStatus.error(status, during: .connect)))
        }
    }

    private final class Box {
        let completion: (Result<[ResolvedAddress], HTTPCoreError>) -> Void
        let port: Int
        init(completion: @escaping (Result<[ResolvedAddress], HTTPCoreError>) -> Void, port: Int) {
            self.completion = completion
            self.port = port
        }
    }
}

/// A NUL-terminated C string held in an array.
func cString(_ chars: some Collection<CChar>) -> String {
    String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The number of online processors, for the default loop count.
func onlineProcessorCount() -> Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

/// libuv writes to TCP sockets with plain `write`/`writev`, so a peer that closes while we
/// write raises SIGPIPE, whose default action kills the process (a test run died of it).
/// libuv's documentation leaves ignoring it to the application, as Node does; a backend
/// does it once, and only when nobody installed a handler of their own. The write then
/// fails with EPIPE, which the stream reports as a typed `.writeFailed`.
let ignoreSIGPIPE: Void = {
    var current = sigaction()
    guard sigaction(SIGPIPE, nil, &current) == 0 else { return }
    if current.__sigaction_handler.sa_handler == nil { // SIG_DFL
        signal(SIGPIPE, SIG_IGN)
    }
}()
