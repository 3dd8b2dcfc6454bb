import HTTPCore

extension TLSStream {
    /// Who may send ciphertext, and whether the stream is still usable.
    ///
    /// Ciphertext must reach the inner stream in the order OpenSSL produced it, and the
    /// inner stream takes one write at a time. So output has one owner at a time (the
    /// "pump"): a writer waits for it in FIFO order, encrypts, drains, writes, and on
    /// release also sends anything a reader produced meanwhile (a TLS 1.3 KeyUpdate reply).
    /// A reader that produced output takes the pump only if it is free; otherwise the
    /// owner sends that output when it releases.
    struct StateMachine {
        enum Phase {
            case open
            /// A write failed or was cancelled: records may be half sent, so writes are over.
            case writeFailed(HTTPCoreError)
            /// OpenSSL failed, or we closed: reads and writes are over.
            case closed(HTTPCoreError)
        }

        private(set) var phase = Phase.open
        private(set) var pumpOwned = false
        private var waiting: [Int] = []
        private var nextWaiter = 0

        enum AcquireAction {
            case proceed
            case wait(id: Int)
            case fail(HTTPCoreError)
        }

        /// A writer asks for the pump.
        mutating func acquire() -> AcquireAction {
            if let error = writeError { return .fail(error) }
            if !pumpOwned {
                pumpOwned = true
                return .proceed
            }
            nextWaiter += 1
            waiting.append(nextWaiter)
            return .wait(id: nextWaiter)
        }

        /// A waiting writer was cancelled; false if the pump was already handed to it
        /// (then it owns the pump and must release it).
        mutating func cancelWait(id: Int) -> Bool {
            guard let index = waiting.firstIndex(of: id) else { return false }
            waiting.remove(at: index)
            return true
        }

        /// A reader that produced output takes the pump if nobody holds it.
        mutating func tryAcquire() -> Bool {
            guard isOpen, !pumpOwned else { return false }
            pumpOwned = true
            return true
        }

        enum ReleaseAction: Equatable {
            /// Keep the pump and send what is pending, then release again.
            case sendPending
            /// The next writer owns the pump now.
            case handOver(id: Int)
            case idle
        }

        /// The owner is done with its own bytes; `hasPendingOutput` says whether OpenSSL
        /// produced more meanwhile.
        mutating func release(hasPendingOutput: Bool) -> ReleaseAction {
            precondition(pumpOwned, "release without owning the pump")
            if hasPendingOutput, isOpen { return .sendPending }
            if !waiting.isEmpty { return .handOver(id: waiting.removeFirst()) }
            pumpOwned = false
            return .idle
        }

        mutating func writeFailed(_ error: HTTPCoreError) {
            if isOpen { phase = .writeFailed(error) }
        }

        mutating func failed(_ error: HTTPCoreError) {
            if case .closed = phase { return }
            phase = .closed(error)
        }

        enum CloseAction: Equatable {
            /// We hold the pump: send close_notify, then close the inner stream.
            case sendCloseNotify(failWaiters: [Int])
            case closeInner(failWaiters: [Int])
        }

        /// Closes the stream; waiting writers are failed. close_notify is sent only for a
        /// graceful close of a healthy stream whose pump is free (a writer stuck in a
        /// write will be woken by the inner close instead).
        mutating func close(graceful: Bool) -> CloseAction {
            let healthy = isOpen
            let waiters = waiting
            waiting = []
            phase = .closed(HTTPCoreError(.connectionClosed, "the TLS stream was closed"))
            if graceful, healthy, !pumpOwned {
                pumpOwned = true
                return .sendCloseNotify(failWaiters: waiters)
            }
            return .closeInner(failWaiters: waiters)
        }

        var isOpen: Bool {
            if case .open = phase { return true }
            return false
        }

        /// The error a read must throw before touching OpenSSL, if any.
        var readError: HTTPCoreError? {
            if case .closed(let error) = phase { return error }
            return nil
        }

        var writeError: HTTPCoreError? {
            switch phase {
            case .open: nil
            case .writeFailed(let error), .closed(let error): error
            }
        }
    }
}
