import Dispatch
import HTTPCore

/// The queue-side state of one socket stream: read and write sources, buffered input,
/// the pending read and write with their deadlines. Every method runs on `loop.queue`.
///
/// As in the libuv backend, reading stays on while less than `readAhead` bytes wait
/// unread (so a peer's FIN is noticed on an idle connection) and pauses beyond that.
final class DispatchStreamCore: LoopStreamCore, @unchecked Sendable {
    // @unchecked: all mutable state is touched only on `loop.queue` (entry points hop
    // there; asserted in debug builds), except `readable`, which is locked.
    private struct PendingRead {
        var waiter: Waiter<[UInt8]?>
        var maxBytes: Int
    }

    private struct PendingWrite {
        var waiter: Waiter<Void>
        var remaining: ArraySlice<UInt8>
    }

    static let readAhead = 64 * 1024

    let loop: DispatchLoop
    let fd: Int32
    let isTCP: Bool
    private let clock: any HTTPClock
    private let readSource: DispatchSourceRead
    private let writeSource: DispatchSourceWrite
    private var readSourceRunning = false
    private var writeSourceRunning = false
    private var cancelledSources = 0
    private var input = ReadBuffer()
    private var sawEOF = false
    private var readError: HTTPCoreError?
    private var writeBroken: HTTPCoreError?
    private(set) var closed = false
    private var pendingRead: PendingRead?
    private var pendingWrite: PendingWrite?
    private var readTimer: QueueTimer?
    private var writeTimer: QueueTimer?
    let readable = Locked(false)

    init(fd: Int32, loop: DispatchLoop, isTCP: Bool, clock: any HTTPClock) {
        self.fd = fd
        self.clock = clock
        self.loop = loop
        self.isTCP = isTCP
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
        readSource.setEventHandler { [unowned self] in readReady() }
        writeSource.setEventHandler { [unowned self] in writeReady() }
        // The fd closes once both sources have let go of it; the handlers keep `self`.
        readSource.setCancelHandler { [self] in sourceCancelled() }
        writeSource.setCancelHandler { [self] in sourceCancelled() }
        loop.execute { [self] in setReading(true) }
    }

    private func setReading(_ on: Bool) {
        guard on != readSourceRunning, !closed else { return }
        readSourceRunning = on
        if on { readSource.resume() } else { readSource.suspend() }
    }

    private func setWriting(_ on: Bool) {
        guard on != writeSourceRunning, !closed else { return }
        writeSourceRunning = on
        if on { writeSource.resume() } else { writeSource.suspend() }
    }

    var isOnLoop: Bool { loop.isOnLoop }

    func onLoop(_ body: @escaping @Sendable () -> Void) { loop.execute(body) }

    // MARK: Reads

    func readNow(maxBytes: Int) -> Result<[UInt8]?, HTTPCoreError>? {
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
        setReading(true)
        if let deadline {
            timer(&readTimer).arm(after: clock.now.duration(to: deadline)) { [unowned self] in
                guard let pending = pendingRead, pending.waiter === waiter else { return }
                pendingRead = nil
                waiter.resume(throwing: HTTPCoreError(.readTimeout, "no data before the read deadline"))
            }
        }
    }

    func readCancelled(_ waiter: Waiter<[UInt8]?>) {
        guard let pending = pendingRead, pending.waiter === waiter else { return }
        pendingRead = nil
        readTimer?.disarm()
    }

    private func readReady() {
        let buffer = loop.readBuffer
        reading: while input.count < DispatchStreamCore.readAhead {
            switch POSIXSocket.receive(fd, into: buffer) {
            case .data(let count):
                input.append([UInt8](UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
            case .wouldBlock:
                break reading
            case .eof:
                sawEOF = true
                setReading(false)
                break reading
            case .failed(let error):
                readError = error
                setReading(false)
                break reading
            }
        }
        if let pending = pendingRead, let ready = readNow(maxBytes: pending.maxBytes) {
            pendingRead = nil
            readTimer?.disarm()
            if let unread = pending.waiter.deliver(ready) { putBack(unread) }
        }
        if input.count >= DispatchStreamCore.readAhead, pendingRead == nil { setReading(false) }
        updateReadable()
    }

    private func take(_ maxBytes: Int) -> [UInt8] {
        let bytes = input.take(maxBytes)
        if input.count < DispatchStreamCore.readAhead, !sawEOF, readError == nil { setReading(true) }
        updateReadable()
        return bytes
    }

    private func putBack(_ bytes: [UInt8]) {
        input.putBack(bytes)
        updateReadable()
    }

    private func updateReadable() {
        let now = !input.isEmpty || sawEOF || readError != nil
        readable.withLock { $0 = now }
    }

    // MARK: Writes

    func startWrite(_ bytes: [UInt8], _ waiter: Waiter<Void>, deadline: HTTPInstant?) {
        loop.assertOnLoop()
        if let failure = closed ? HTTPCoreError(.connectionClosed, "the stream is closed") : writeBroken {
            waiter.resume(throwing: failure)
            return
        }
        switch POSIXSocket.send(fd, bytes[...]) {
        case .failure(let error):
            writeBroken = error
            waiter.resume(throwing: error)
        case .success(let count) where count == bytes.count:
            waiter.resume(returning: ())
        case .success(let count):
            pendingWrite = PendingWrite(waiter: waiter, remaining: bytes[count...])
            setWriting(true)
            if let deadline {
                timer(&writeTimer).arm(after: clock.now.duration(to: deadline)) { [unowned self] in
                    guard pendingWrite?.waiter === waiter else { return }
                    pendingWrite = nil
                    setWriting(false)
                    writeBroken = HTTPCoreError(.writeTimeout, "an earlier write timed out")
                    waiter.resume(throwing: HTTPCoreError(.writeTimeout, "the peer did not take the data before the write deadline"))
                }
            }
        }
    }

    func writeCancelled(_ waiter: Waiter<Void>) {
        guard pendingWrite?.waiter === waiter else { return }
        pendingWrite = nil
        writeTimer?.disarm()
        setWriting(false)
        writeBroken = HTTPCoreError(.cancelled, "an earlier write was cancelled")
    }

    private func writeReady() {
        guard var pending = pendingWrite else {
            setWriting(false)
            return
        }
        switch POSIXSocket.send(fd, pending.remaining) {
        case .failure(let error):
            pendingWrite = nil
            writeBroken = error
            writeTimer?.disarm()
            setWriting(false)
            pending.waiter.resume(throwing: error)
        case .success(let count):
            pending.remaining = pending.remaining.dropFirst(count)
            if pending.remaining.isEmpty {
                pendingWrite = nil
                writeTimer?.disarm()
                setWriting(false)
                pending.waiter.resume(returning: ())
            } else {
                pendingWrite = pending
            }
        }
    }

    // MARK: Close

    func close(_ mode: CloseMode) {
        loop.assertOnLoop()
        guard !closed else { return }
        let gone = HTTPCoreError(.connectionClosed, "the stream was closed")
        if let pending = pendingRead { pending.waiter.resume(throwing: gone) }
        if let pending = pendingWrite { pending.waiter.resume(throwing: gone) }
        pendingRead = nil
        pendingWrite = nil
        readTimer?.disarm()
        writeTimer?.disarm()
        if mode == .abortive, isTCP {
            POSIXSocket.setAbortiveClose(fd)
        } else if isTCP {
            POSIXSocket.shutdownWrite(fd)
        }
        // A suspended source never runs its cancel handler: resume both, then cancel.
        setReading(true)
        setWriting(true)
        closed = true
        readSource.cancel()
        writeSource.cancel()
    }

    /// The stream's read or write timer, made on first use.
    private func timer(_ slot: inout QueueTimer?) -> QueueTimer {
        if let timer = slot { return timer }
        let timer = QueueTimer(queue: loop.queue)
        slot = timer
        return timer
    }

    private func sourceCancelled() {
        cancelledSources += 1
        if cancelledSources == 2 { POSIXSocket.close(fd) }
    }
}
