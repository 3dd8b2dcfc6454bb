public import HTTPCore

/// A `NetworkStream` whose peer follows a script of `MockStep`s, checking what the code
/// under test writes as well as feeding what it reads.
///
/// A write that differs from the script throws an error whose message shows the expected
/// and the actual bytes, and the message is also kept in `failures` for tests that only
/// see a wrapped error. Everything written is recorded in `written`.
public final class MockScriptedStream: NetworkStream {
    private struct PendingRead {
        var waiter: Waiter<[UInt8]?>
        var maxBytes: Int
        var timer: DeadlineTimer
    }

    private struct PendingWrite {
        var waiter: Waiter<Void>
        var bytes: ArraySlice<UInt8>
        var timer: DeadlineTimer
    }

    private struct State {
        var steps: [MockStep]
        var cursor = 0
        /// Bytes of the current `.read` or `.write` step already consumed.
        var offset = 0
        var delayDeadline: HTTPInstant?
        var delayTimer: DeadlineTimer?
        var sawEOF = false
        var broken: HTTPCoreError?
        var closeMode: CloseMode?
        var pendingRead: PendingRead?
        var pendingWrite: PendingWrite?
        var written: [UInt8] = []
        var failures: [String] = []
    }

    private let state: Locked<State>
    private let clock: any HTTPClock
    public let info: NetworkStreamInfo

    public init(_ steps: [MockStep], clock: any HTTPClock, info: NetworkStreamInfo = .init()) {
        state = Locked(State(steps: steps))
        self.clock = clock
        self.info = info
    }

    // MARK: - Inspection

    /// Every byte the client wrote, in order (including a mismatching write).
    public var written: [UInt8] { state.withLock { $0.written } }
    /// Script mismatches and misuse, as messages.
    public var failures: [String] { state.withLock { $0.failures } }
    /// True when every step has been played.
    public var isComplete: Bool { state.withLock { $0.cursor == $0.steps.count } }
    /// The steps not yet played.
    public var remainingSteps: [MockStep] { state.withLock { Array($0.steps[$0.cursor...]) } }
    public var isClosed: Bool { state.withLock { $0.closeMode != nil } }
    public var closeMode: CloseMode? { state.withLock { $0.closeMode } }

    public var isReadable: Bool {
        state.withLock { state in
            if state.sawEOF || state.broken != nil { return true }
            guard state.cursor < state.steps.count, state.delayDeadline == nil else { return false }
            switch state.steps[state.cursor] {
            case .read, .eof, .fail: return true
            default: return false
            }
        }
    }

    // MARK: - NetworkStream

    public func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]? {
        precondition(maxBytes > 0, "read(maxBytes:) needs a positive count")
        let waiter = Waiter<[UInt8]?>()
        // A deadline already past still lets data that is ready through (as a socket
        // would): the read expires only after the script had its chance.
        let expired = deadline.map { $0 <= clock.now } ?? false
        let timer = DeadlineTimer(clock: clock, deadline: expired ? nil : deadline) { [weak self] in
            self?.expireRead(waiter)
        }
        let misuse: HTTPCoreError? = state.withLock { state in
            if let pending = state.pendingRead, !pending.waiter.isFinished {
                state.failures.append("two concurrent reads")
                return HTTPCoreError(.readFailed, "mock: two concurrent reads")
            }
            state.pendingRead = PendingRead(waiter: waiter, maxBytes: maxBytes, timer: timer)
            return nil
        }
        if let misuse {
            timer.cancel()
            throw misuse
        }
        pump()
        if expired, !waiter.isFinished { expireRead(waiter) }
        return try await waiter.wait()
    }

    public func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws {
        let waiter = Waiter<Void>()
        let timer = DeadlineTimer(clock: clock, deadline: deadline) { [weak self] in
            self?.expireWrite(waiter)
        }
        let misuse: HTTPCoreError? = state.withLock { state in
            if let pending = state.pendingWrite, !pending.waiter.isFinished {
                state.failures.append("two concurrent writes")
                return HTTPCoreError(.writeFailed, "mock: two concurrent writes")
            }
            state.written.append(contentsOf: bytes)
            state.pendingWrite = PendingWrite(waiter: waiter, bytes: bytes[...], timer: timer)
            return nil
        }
        if let misuse {
            timer.cancel()
            throw misuse
        }
        pump()
        try await waiter.wait()
    }

    public func close(_ mode: CloseMode) async {
        let (read, write) = state.withLock { state -> (PendingRead?, PendingWrite?) in
            if state.closeMode == nil { state.closeMode = mode }
            state.delayTimer?.cancel()
            defer {
                state.pendingRead = nil
                state.pendingWrite = nil
            }
            return (state.pendingRead, state.pendingWrite)
        }
        let closed = HTTPCoreError(.connectionClosed, "the stream was closed")
        read?.timer.cancel()
        read?.waiter.resume(throwing: closed)
        write?.timer.cancel()
        write?.waiter.resume(throwing: closed)
    }

    // MARK: - The script engine

    /// Plays as many steps as the pending operations allow. Waiters are resumed inside the
    /// lock so that data offered to a waiter cancelled a moment earlier stays in the script.
    private func pump() {
        state.withLock { state in
            while advance(&state) {}
        }
    }

    /// One move of the script; false when nothing more can happen now.
    private func advance(_ state: inout State) -> Bool {
        if let pending = state.pendingRead, pending.waiter.isFinished { state.pendingRead = nil }
        if let pending = state.pendingWrite, pending.waiter.isFinished { state.pendingWrite = nil }
        guard state.pendingRead != nil || state.pendingWrite != nil else { return false }

        if state.closeMode != nil {
            let closed = HTTPCoreError(.connectionClosed, "the stream was closed")
            finishRead(&state, .failure(closed))
            finishWrite(&state, .failure(closed))
            return false
        }
        if let broken = state.broken {
            finishRead(&state, .failure(broken))
            finishWrite(&state, .failure(broken))
            return false
        }
        if state.sawEOF, state.pendingRead != nil {
            finishRead(&state, .success(nil))
            return true
        }
        guard state.cursor < state.steps.count else {
            if let pending = state.pendingWrite {
                fail(&state, "write after the end of the script: \(describeBytes(pending.bytes))")
                return true
            }
            return false  // a silent peer: the read waits for its deadline or close
        }

        switch state.steps[state.cursor] {
        case .delay(let duration):
            if let deadline = state.delayDeadline {
                guard clock.now >= deadline else { return false }
                state.delayDeadline = nil
                state.delayTimer = nil
                nextStep(&state)
                return true
            }
            guard duration > .zero else {
                nextStep(&state)
                return true
            }
            // A future deadline never fires inside `schedule`, so arming it under the lock is safe.
            let deadline = clock.now + duration
            state.delayDeadline = deadline
            state.delayTimer = DeadlineTimer(clock: clock, deadline: deadline) { [weak self] in self?.pump() }
            return false

        case .read(let bytes):
            guard let pending = state.pendingRead else { return unexpectedWrite(&state) }
            let end = min(bytes.count, state.offset + pending.maxBytes)
            let chunk = Array(bytes[state.offset..<end])
            guard finishRead(&state, .success(chunk)) else { return true }
            state.offset = end
            if end == bytes.count { nextStep(&state) }
            return true

        case .eof:
            guard state.pendingRead != nil else { return unexpectedWrite(&state) }
            state.sawEOF = true
            nextStep(&state)
            return true

        case .fail(let code):
            state.broken = HTTPCoreError(code, "scripted failure")
            nextStep(&state)
            return true

        case .write(let expected):
            guard var pending = state.pendingWrite else { return false }
            let remaining = expected[state.offset...]
            let count = min(remaining.count, pending.bytes.count)
            guard remaining.prefix(count).elementsEqual(pending.bytes.prefix(count)) else {
                fail(&state, mismatch(expected: expected, offset: state.offset, actual: pending.bytes))
                return true
            }
            state.offset += count
            pending.bytes = pending.bytes.dropFirst(count)
            state.pendingWrite = pending
            if state.offset == expected.count { nextStep(&state) }
            if pending.bytes.isEmpty { finishWrite(&state, .success(())) }
            return true

        case .writePrefix(let prefix):
            guard let pending = state.pendingWrite else { return false }
            let remaining = prefix[state.offset...]
            let count = min(remaining.count, pending.bytes.count)
            guard remaining.prefix(count).elementsEqual(pending.bytes.prefix(count)) else {
                fail(&state, mismatch(expected: prefix, offset: state.offset, actual: pending.bytes))
                return true
            }
            state.offset += count
            if state.offset == prefix.count { nextStep(&state) }
            finishWrite(&state, .success(()))
            return true
        }
    }

    private func nextStep(_ state: inout State) {
        state.cursor += 1
        state.offset = 0
    }

    private func unexpectedWrite(_ state: inout State) -> Bool {
        guard let pending = state.pendingWrite else { return false }
        let step = state.steps[state.cursor]
        fail(&state, "unexpected write \(describeBytes(pending.bytes)): the script expects the peer to act next (\(step))")
        return true
    }

    private func mismatch(expected: [UInt8], offset: Int, actual: ArraySlice<UInt8>) -> String {
        let remaining = expected[offset...]
        let at = zip(remaining, actual).prefix { $0 == $1 }.count
        return "write mismatch at byte \(offset + at) of the step:\n  expected: \(describeBytes(remaining))\n  actual:   \(describeBytes(actual))"
    }

    /// Records a script failure, fails the pending write, and breaks the stream.
    private func fail(_ state: inout State, _ message: String) {
        state.failures.append(message)
        let error = HTTPCoreError(.writeFailed, "mock script: \(message)")
        state.broken = error
        finishWrite(&state, .failure(error))
    }

    @discardableResult
    private func finishRead(_ state: inout State, _ result: Result<[UInt8]?, any Error>) -> Bool {
        guard let pending = state.pendingRead else { return false }
        state.pendingRead = nil
        pending.timer.cancel()
        return pending.waiter.resume(with: result)
    }

    private func finishWrite(_ state: inout State, _ result: Result<Void, any Error>) {
        guard let pending = state.pendingWrite else { return }
        state.pendingWrite = nil
        pending.timer.cancel()
        pending.waiter.resume(with: result)
    }

    private func expireRead(_ waiter: Waiter<[UInt8]?>) {
        state.withLock { state in
            if state.pendingRead?.waiter.isSame(as: waiter) == true { state.pendingRead = nil }
        }
        waiter.resume(throwing: HTTPCoreError(.readTimeout, "no data before the read deadline"))
    }

    private func expireWrite(_ waiter: Waiter<Void>) {
        state.withLock { state in
            if state.pendingWrite?.waiter.isSame(as: waiter) == true {
                state.pendingWrite = nil
                state.broken = HTTPCoreError(.writeTimeout, "a write timed out earlier")
            }
        }
        waiter.resume(throwing: HTTPCoreError(.writeTimeout, "the peer did not accept the write before its deadline"))
    }
}
