import HTTPCore

/// The part of `HTTP2StateMachine` that counts streams we open against the peer's
/// SETTINGS_MAX_CONCURRENT_STREAMS, queues who waits for a slot (FIFO), and says whether
/// the connection still takes new streams.
///
///     active --GOAWAY received or sent--> draining --last stream closed--> closed
///     active/draining --connection error or close()--> closed
struct HTTP2StreamSlots {
    enum Phase: Equatable {
        case active
        /// No new streams; open ones finish.
        case draining
        case closed
    }

    private(set) var phase = Phase.active
    /// Streams holding a slot: submitted or about to be, not yet closed or cancelled.
    private(set) var openStreams = 0
    private(set) var peerLimit: Int
    /// The peer's SETTINGS arrived: `peerLimit` is its word, not our assumption.
    private(set) var peerLimitKnown = false
    private var queue: [Int] = []
    private var nextTicket = 0
    private(set) var requestCount = 0
    private(set) var idleSince: HTTPInstant?

    init(now: HTTPInstant, assumedPeerLimit: Int = 100) {
        peerLimit = assumedPeerLimit
        idleSince = now
    }

    var isAvailable: Bool { phase == .active && openStreams < peerLimit }
    var isIdle: Bool { openStreams == 0 }

    enum SlotAction: Equatable {
        case proceed
        case wait(ticket: Int)
        case unavailable
    }

    /// A request wants a stream. Waiters keep FIFO order: a newcomer never overtakes.
    mutating func requestSlot() -> SlotAction {
        guard phase == .active else { return .unavailable }
        if openStreams < peerLimit, queue.isEmpty {
            take()
            return .proceed
        }
        nextTicket += 1
        queue.append(nextTicket)
        return .wait(ticket: nextTicket)
    }

    /// A queued request was cancelled; false if it had already been given a slot.
    mutating func cancelWait(ticket: Int) -> Bool {
        guard let index = queue.firstIndex(of: ticket) else { return false }
        queue.remove(at: index)
        return true
    }

    /// A stream ended (or was cancelled): its slot goes to the next waiters. Returns
    /// the tickets now holding a slot.
    mutating func releaseSlot(now: HTTPInstant) -> [Int] {
        precondition(openStreams > 0, "released a slot nobody held")
        openStreams -= 1
        let granted = grant()
        if openStreams == 0 { idleSince = now }
        return granted
    }

    /// The peer's SETTINGS changed its stream limit (0 is legal: wait for more).
    mutating func peerLimitChanged(_ limit: Int) -> [Int] {
        peerLimit = limit
        peerLimitKnown = true
        return grant()
    }

    /// GOAWAY either way: no new streams. Returns the waiters to fail (not processed).
    mutating func drain() -> [Int] {
        guard phase == .active else { return [] }
        phase = .draining
        defer { queue = [] }
        return queue
    }

    /// Closed for good; returns the waiters to fail.
    mutating func close() -> [Int] {
        phase = .closed
        defer { queue = [] }
        return queue
    }

    private mutating func take() {
        openStreams += 1
        requestCount += 1
        idleSince = nil
    }

    private mutating func grant() -> [Int] {
        var granted: [Int] = []
        while phase == .active, openStreams < peerLimit, !queue.isEmpty {
            granted.append(queue.removeFirst())
            take()
        }
        return granted
    }
}
