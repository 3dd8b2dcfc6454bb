import HTTPCore

/// At most `limit` holders at once; the others wait first come, first served. A waiter
/// that is cancelled leaves the queue and takes no permit.
final class ConcurrencyLimiter: Sendable {
    private struct State {
        var inUse = 0
        var waiters: [(id: Int, waiter: Waiter<Void>)] = []
        var nextID = 0
    }

    let limit: Int
    private let state = Locked(State())

    init(limit: Int) {
        precondition(limit > 0, "a concurrency limit must be positive")
        self.limit = limit
    }

    var inUse: Int { state.withLock { $0.inUse } }
    var waiting: Int { state.withLock { $0.waiters.count } }

    func acquire() async throws {
        let (id, waiter) = state.withLock { state -> (Int, Waiter<Void>?) in
            if state.inUse < limit, state.waiters.isEmpty {
                state.inUse += 1
                return (0, nil)
            }
            state.nextID += 1
            let waiter = Waiter<Void>()
            state.waiters.append((state.nextID, waiter))
            return (state.nextID, waiter)
        }
        guard let waiter else { return }
        try await waiter.wait { [state] in
            state.withLock { state in state.waiters.removeAll { $0.id == id } }
        }
    }

    /// Hands the permit to the longest waiter, or frees it.
    func release() {
        let next = state.withLock { state -> Waiter<Void>? in
            while !state.waiters.isEmpty {
                let (_, waiter) = state.waiters.removeFirst()
                if !waiter.isFinished { return waiter }
            }
            state.inUse -= 1
            return nil
        }
        if let next, !next.resume(returning: ()) { release() }
    }
}
