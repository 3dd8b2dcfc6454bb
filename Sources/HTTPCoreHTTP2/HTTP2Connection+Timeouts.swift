import HTTPCore

extension HTTP2Connection {
    /// Read and write timeouts for every stream, from one task per connection: it sleeps
    /// until the earliest deadline any waiting stream has, fails the overdue ones with
    /// `.readTimeout` / `.writeTimeout` (and resets them), and sleeps again. Deadlines
    /// mostly arrive later than the one it sleeps for, so a request costs no task or timer
    /// of its own; an earlier one wakes it.
    func timerLoop() async {
        while true {
            let (target, waiter, expired) = core.withLock { core -> (HTTPInstant?, Waiter<Void>?, Bool) in
                guard core.closeError == nil else { return (nil, nil, false) }
                let expired = core.expireOverdue(now: clock.now)
                let waiter = Waiter<Void>()
                core.timerTarget = core.earliestDeadline
                core.timerWaiter = waiter
                return (core.timerTarget, waiter, expired)
            }
            guard let waiter else { return }
            if expired { scheduleFlush() }
            if let target {
                let clock = self.clock
                let sleeper = Task {
                    try? await clock.sleep(until: target)
                    waiter.resume(returning: ())
                }
                _ = try? await waiter.wait()
                sleeper.cancel()
            } else {
                _ = try? await waiter.wait()
            }
        }
    }
}

extension HTTP2Connection.Core {
    /// Stream `id` starts a wait (for the head, body bytes, or upload room) of at most
    /// `timeout`, and never past the request's total deadline.
    mutating func armWait(_ timeout: Duration?, now: HTTPInstant, stream id: Int32, writing: Bool = false) {
        guard let state = streams[id] else { return }
        let fromTimeout = timeout.map { now + $0 }
        let deadline = switch (fromTimeout, state.totalDeadline) {
        case let (a?, b?): min(a, b)
        case let (a, b): a ?? b
        }
        setDeadline(deadline, stream: id, writing: writing)
    }

    /// Stream `id` now waits until `deadline` at most (nil: not waiting, no limit).
    mutating func setDeadline(_ deadline: HTTPInstant?, stream id: Int32, writing: Bool = false) {
        guard streams[id] != nil else { return }
        streams[id]!.deadline = deadline
        streams[id]!.deadlineIsWrite = writing
        guard let deadline else { return }
        if timerTarget.map({ deadline < $0 }) ?? true {
            timerWaiter?.resume(returning: ())
            timerWaiter = nil
        }
    }

    var earliestDeadline: HTTPInstant? {
        streams.values.compactMap(\.deadline).min()
    }

    /// Fails streams whose deadline passed; true if any was reset.
    mutating func expireOverdue(now: HTTPInstant) -> Bool {
        let overdue = streams.filter { $0.value.deadline.map { $0 <= now } ?? false }
        for (id, state) in overdue {
            let error = if let total = state.totalDeadline, total <= now {
                HTTPCoreError(.totalTimeout, "the request's total deadline passed")
            } else if state.deadlineIsWrite {
                HTTPCoreError(.writeTimeout, "the peer did not open the flow-control window in time")
            } else {
                HTTPCoreError(.readTimeout, "no response data before the read deadline")
            }
            _ = cancel(id, now: now, error: error)
        }
        return !overdue.isEmpty
    }
}
