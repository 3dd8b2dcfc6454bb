import HTTPCore

extension HTTP2StateMachine {
    /// Stream `id` waits for the peer (head or data) for at most `timeout`, and never past
    /// its total deadline (nil `timeout`: the total deadline alone).
    mutating func armRead(_ id: Int32, timeout: Duration?, now: HTTPInstant) -> [Action] {
        guard let index = streams.index(forKey: id) else { return [] }
        let deadline = Self.earliest(timeout.map { now + $0 }, streams.values[index].totalDeadline)
        streams.values[index].readDeadline = deadline
        return deadlineArmed(deadline)
    }

    /// Stream `id` waits for upload room for at most `timeout` (and its total deadline).
    mutating func armWrite(_ id: Int32, timeout: Duration?, now: HTTPInstant) -> [Action] {
        guard let index = streams.index(forKey: id) else { return [] }
        let deadline = Self.earliest(timeout.map { now + $0 }, streams.values[index].totalDeadline)
        streams.values[index].writeDeadline = deadline
        return deadlineArmed(deadline)
    }

    /// Server role: response body bytes that flow control holds back are bounded by the
    /// stream's write timeout even when no handler waits for room (the body fit in
    /// `uploadBuffer`, or the handler has returned). Otherwise a client that never opens its
    /// window (a zero-window stall) would pin the stream, its queued body and its
    /// concurrency slot forever. Called when bytes are queued or leave: the wait restarts
    /// from `now` (a slow reader is not a stalled one) and ends once nothing is held.
    mutating func boundHeldBody(at index: HTTP2StreamTable.Index, now: HTTPInstant) -> [Action] {
        guard role == .server else { return [] }
        guard streams.values[index].queuedBytes > 0 else {
            streams.values[index].writeDeadline = nil
            return []
        }
        return armWrite(streams.keys[index], timeout: streams.values[index].writeTimeout, now: now)
    }

    /// A deadline was set: the timer must wake earlier than it planned?
    mutating func deadlineArmed(_ deadline: HTTPInstant?) -> [Action] {
        guard let deadline, timerTarget.map({ deadline < $0 }) ?? true else { return [] }
        timerTarget = deadline
        return [.rescheduleTimer]
    }

    /// The earliest deadline anything waits for: the shell's timer sleeps until then.
    var nextDeadline: HTTPInstant? {
        var earliest = functionalPing?.deadline
        for index in streams.values.indices { earliest = Self.earliest(earliest, streams.values[index].deadline) }
        return earliest
    }

    /// The timer woke at `now`: overdue waits fail (`.totalTimeout`, `.writeTimeout` or
    /// `.readTimeout`, and the stream is reset); an unanswered functional PING ends the
    /// connection. Then `timerTarget` is the next deadline.
    mutating func timerFired(now: HTTPInstant) -> [Action] {
        var actions: [Action] = []
        if let functionalPing, functionalPing.deadline <= now {
            actions.append(.closeConnection(HTTPCoreError(
                .readTimeout, "the peer did not answer a PING within \(pingTimeout): the connection is dead"
            )))
        }
        let overdue = zip(streams.keys, streams.values).filter { $0.1.deadline.map { $0 <= now } ?? false }
        for (id, state) in overdue.sorted(by: { $0.0 < $1.0 }) {
            let error = if let total = state.totalDeadline, total <= now {
                HTTPCoreError(.totalTimeout, "the request's total deadline passed")
            } else if let write = state.writeDeadline, write <= now {
                HTTPCoreError(.writeTimeout, "the peer did not open the flow-control window in time")
            } else {
                HTTPCoreError(.readTimeout, "no data from the peer before the read deadline")
            }
            streams[id]!.readDeadline = nil
            streams[id]!.writeDeadline = nil
            actions += cancel(id, .failed(error), now: now)
            // The peer has taken nothing for a whole write timeout: every frame queued
            // behind that write (this RST_STREAM, the next request's HEADERS) would wait
            // as long, so the connection is dead to new requests; over HTTP/1.1 the same
            // timeout closes the connection too.
            if error.code == .writeTimeout, let since = socketWriteSince, let timeout = state.writeTimeout, since + timeout <= now {
                actions.append(.closeConnection(HTTPCoreError(.writeTimeout, "the peer read nothing for \(timeout): the connection is stalled")))
            }
            // A read or write the peer left waiting may mean the peer is gone: check
            // (a total deadline says only that the exchange took too long).
            if error.code != .totalTimeout, functionalPing == nil, closeError == nil {
                nextPing += 1
                pings[nextPing] = now
                functionalPing = (nextPing, now + pingTimeout)
                awaitingLiveness = true
                actions.append(.sendPing(opaque: nextPing))
            }
        }
        timerTarget = nextDeadline
        return actions
    }

    static func earliest(_ a: HTTPInstant?, _ b: HTTPInstant?) -> HTTPInstant? {
        switch (a, b) {
        case let (a?, b?): min(a, b)
        case let (a, b): a ?? b
        }
    }
}
