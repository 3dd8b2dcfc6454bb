import HTTPCore

/// The loop-side state of one libuv stream: buffered input, the pending read and write,
/// their deadline timers. Every method runs on the loop thread.
///
/// Reading stays on while less than `readAhead` bytes wait unread, so a peer's FIN or
/// RST is seen even on an idle connection (`isReadable`), and stops beyond that until
/// someone reads: memory per connection is bounded and a slow reader slows the peer.
final class UVStreamCore: LoopStreamCore, @unchecked Sendable {
    // @unchecked: all mutable state is touched only on `loop`'s thread (entry points in
    // `LibUVStream` hop there first; asserted in debug builds), except `readable`, which
    // is locked because pool predicates read it from any thread.
    private struct PendingRead {
        var waiter: Waiter<[UInt8]?>
        var maxBytes: Int
    }

    static let readAhead = 64 * 1024

    let loop: UVLoop
    let socket: UVSocket
    private let clock: any HTTPClock
    private var input = ReadBuffer()
    private var sawEOF = false
    private var readError: HTTPCoreError?
    private var writeBroken: HTTPCoreError?
    private var closed = false
    private var pendingRead: PendingRead?
    private var pendingWrite: Waiter<Void>?
    private var readTimer: UVTimer?
    private var writeTimer: UVTimer?
    let readable = Locked(false)

    init(socket: UVSocket, clock: any HTTPClock) {
        loop = socket.loop
        self.socket = socket
        self.clock = clock
        socket.onRead = { [unowned self] result in received(result) }
        socket.onClose = { [self] in closeFinished() }
        socket.startReading()
    }

    var isOnLoop: Bool { loop.isOnLoop }

    func onLoop(_ body: @escaping @Sendable () -> Void) { loop.execute(body) }

    // MARK: Reads

    func readNow(maxBytes: Int) -> Result<[UInt8]?, HTTPCoreError>? {
        loop.assertOnLoop()
        if !input.isEmpty { return .success(take(maxBytes)) }
        if let readError { return .failure(readError) }
        if closed { return .failure(HTTPCoreError(.connectionClosed, "the stream is closed")) }
        if sawEOF { return .success(nil) }
        return nil
    }

    func startRead(_ waiter: Waiter<[UInt8]?>, maxBytes: Int, deadline: HTTPInstant?) {
        loop.assertOnLoop()
        if let ready = readNow(maxBytes: maxBytes) {
            if let unread = waiter.deliver(ready) { putBack(unread) }
            return
        }
        if let pending = pendingRead, !pending.waiter.isFinished {
            waiter.resume(throwing: HTTPCoreError(.readFailed, "two concurrent reads on one stream"))
            return
        }
        pendingRead = PendingRead(waiter: waiter, maxBytes: maxBytes)
        socket.startReading()
        if let deadline {
            timer(&readTimer).start(after: clock.now.duration(to: deadline)) { [unowned self] in
                guard let pending = pendingRead, pending.waiter === waiter else { return }
                pendingRead = nil
                waiter.resume(throwing: HTTPCoreError(.readTimeout, "no data before the read deadline"))
            }
        }
    }

    func readCancelled(_ waiter: Waiter<[UInt8]?>) {
        guard let pending = pendingRead, pending.waiter === waiter else { return }
        pendingRead = nil
        readTimer?.stop()
    }

    private func received(_ result: Result<[UInt8]?, HTTPCoreError>) {
        switch result {
        case .success(let bytes?):
            input.append(bytes)
        case .success(nil):
            sawEOF = true
        case .failure(let error):
            readError = error
        }
        if let pending = pendingRead, let ready = readNow(maxBytes: pending.maxBytes) {
            pendingRead = nil
            readTimer?.stop()
            if let unread = pending.waiter.deliver(ready) { putBack(unread) }
        }
        if input.count >= UVStreamCore.readAhead, pendingRead == nil { socket.stopReading() }
        updateReadable()
    }

    private func take(_ maxBytes: Int) -> [UInt8] {
        let bytes = input.take(maxBytes)
        if input.count < UVStreamCore.readAhead, !sawEOF, readError == nil, !closed { socket.startReading() }
        updateReadable()
        return bytes
    }

    /// Bytes offered to a read that was cancelled in the same instant go back in front.
    private func putBack(_ bytes: [UInt8]) {
        input.putBack(bytes)
        updateReadable()
    }

    private func updateReadable() {
        let now = !input.isEmpty || sawEOF || readError != nil
        readable.withLock { $0 = now }
    }

    // MARK: Writes

    /// Writes without waiting if the kernel takes everything; otherwise queues the rest
    /// and resumes `waiter` from the write callback.
    func startWrite(_ bytes: [UInt8], _ waiter: Waiter<Void>, deadline: HTTPInstant?) {
        loop.assertOnLoop()
        if let failure = writeFailure {
            waiter.resume(throwing: failure)
            return
        }
        let written: Int
        switch socket.tryWrite(bytes[...]) {
        case .success(let count): written = count
        case .failure(let error):
            writeBroken = error
            waiter.resume(throwing: error)
            return
        }
        if written == bytes.count {
            waiter.resume(returning: ())
            return
        }
        pendingWrite = waiter
        socket.write(bytes[written...]) { [unowned self] error in
            if let error, writeBroken == nil { writeBroken = error }
            guard pendingWrite === waiter else { return }
            pendingWrite = nil
            writeTimer?.stop()
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: ()) }
        }
        if let deadline {
            timer(&writeTimer).start(after: clock.now.duration(to: deadline)) { [unowned self] in
                guard pendingWrite === waiter else { return }
                pendingWrite = nil
                writeBroken = HTTPCoreError(.writeTimeout, "an earlier write timed out")
                waiter.resume(throwing: HTTPCoreError(.writeTimeout, "the peer did not take the data before the write deadline"))
            }
        }
    }

    func writeCancelled(_ waiter: Waiter<Void>) {
        guard pendingWrite === waiter else { return }
        pendingWrite = nil
        writeTimer?.stop()
        writeBroken = HTTPCoreError(.cancelled, "an earlier write was cancelled")
    }

    private var writeFailure: HTTPCoreError? {
        if closed { return HTTPCoreError(.connectionClosed, "the stream is closed") }
        return writeBroken
    }

    // MARK: Close

    func close(_ mode: CloseMode) {
        loop.assertOnLoop()
        guard !closed else { return }
        closed = true
        let closedError = HTTPCoreError(.connectionClosed, "the stream was closed")
        if let pending = pendingRead {
            pendingRead = nil
            pending.waiter.resume(throwing: closedError)
        }
        if let waiter = pendingWrite {
            pendingWrite = nil
            waiter.resume(throwing: closedError)
        }
        readTimer?.close()
        writeTimer?.close()
        socket.stopReading()
        if mode == .graceful, socket.kind == .tcp, readError == nil, writeBroken == nil {
            socket.shutdown { [socket] _ in socket.close(reset: false) }
        } else {
            socket.close(reset: mode == .abortive)
        }
    }

    /// The handle is gone (closed by us or by a loop shutdown): nobody may wait on it.
    private func closeFinished() {
        closed = true
        let gone = HTTPCoreError(.connectionClosed, "the stream was closed")
        if let pending = pendingRead { pending.waiter.resume(throwing: gone) }
        if let waiter = pendingWrite { waiter.resume(throwing: gone) }
        pendingRead = nil
        pendingWrite = nil
        readTimer?.close()
        writeTimer?.close()
    }

    private func timer(_ slot: inout UVTimer?) -> UVTimer {
        if let timer = slot { return timer }
        let timer = UVTimer(loop: loop)
        slot = timer
        return timer
    }
}
