public import HTTPCore

/// A clock that moves only when a test advances it, so timeouts, delays and keep-alive
/// expiry are tested without sleeping.
///
/// Timers fire in deadline order during `advance`, each with `now` set to its deadline.
/// `waitForTimers(_:)` lets a test wait until the code under test has armed its timeouts
/// before advancing past them.
public final class ManualClock: HTTPClock {
    private struct Timer {
        var id: Int
        var deadline: HTTPInstant
        var fire: @Sendable () -> Void
    }

    private struct State {
        var now: HTTPInstant
        var timers: [Timer] = []
        var nextID = 0
        var timerWatchers: [(count: Int, waiter: Waiter<Void>)] = []
    }

    private let state: Locked<State>

    public init(now: HTTPInstant = HTTPInstant(nanoseconds: 0)) {
        state = Locked(State(now: now))
    }

    public var now: HTTPInstant { state.withLock { $0.now } }

    /// Timers armed and not yet fired or cancelled (sleeps, deadlines, scripted delays).
    public var pendingTimers: Int { state.withLock { $0.timers.count } }

    /// The earliest armed deadline, if any.
    public var nextDeadline: HTTPInstant? { state.withLock { $0.timers.map(\.deadline).min() } }

    public func advance(by duration: Duration) { advance(to: now + duration) }

    /// Moves time to `instant`, firing every timer due on the way, in order.
    public func advance(to instant: HTTPInstant) {
        while true {
            let due: Timer? = state.withLock { state in
                guard let index = state.timers.indices.min(by: { state.timers[$0].deadline < state.timers[$1].deadline }),
                      state.timers[index].deadline <= instant
                else { return nil }
                let timer = state.timers.remove(at: index)
                state.now = max(state.now, timer.deadline)
                return timer
            }
            guard let due else { break }
            due.fire()
        }
        state.withLock { $0.now = max($0.now, instant) }
    }

    /// Calls `fire` once `now` reaches `deadline` (at once if it already has).
    @discardableResult
    public func schedule(at deadline: HTTPInstant, _ fire: @escaping @Sendable () -> Void) -> Int {
        let (id, fireNow, watchers) = state.withLock { state -> (Int, Bool, [Waiter<Void>]) in
            state.nextID += 1
            if deadline <= state.now { return (state.nextID, true, []) }
            state.timers.append(Timer(id: state.nextID, deadline: deadline, fire: fire))
            let count = state.timers.count
            let ready = state.timerWatchers.filter { $0.count <= count }.map(\.waiter)
            state.timerWatchers.removeAll { $0.count <= count }
            return (state.nextID, false, ready)
        }
        for watcher in watchers { watcher.resume(returning: ()) }
        if fireNow { fire() }
        return id
    }

    public func cancelTimer(_ id: Int) {
        state.withLock { $0.timers.removeAll { $0.id == id } }
    }

    public func sleep(until deadline: HTTPInstant) async throws {
        let waiter = Waiter<Void>()
        let id = schedule(at: deadline) { waiter.resume(returning: ()) }
        defer { cancelTimer(id) }
        try await waiter.wait()
    }

    /// Returns once at least `count` timers are armed: the code under test has reached the
    /// point where it waits on time.
    public func waitForTimers(_ count: Int = 1) async throws {
        let waiter: Waiter<Void>? = state.withLock { state in
            if state.timers.count >= count { return nil }
            let waiter = Waiter<Void>()
            state.timerWatchers.append((count, waiter))
            return waiter
        }
        try await waiter?.wait()
    }
}

/// Arms a deadline on any clock: the manual clock's timer list, or a sleeping task.
struct DeadlineTimer: Sendable {
    private enum Handle: Sendable {
        case manual(ManualClock, Int)
        case task(Task<Void, Never>)
    }

    private let handle: Handle?

    init(clock: any HTTPClock, deadline: HTTPInstant?, fire: @escaping @Sendable () -> Void) {
        guard let deadline else {
            handle = nil
            return
        }
        if let manual = clock as? ManualClock {
            handle = .manual(manual, manual.schedule(at: deadline, fire))
        } else {
            handle = .task(Task {
                do {
                    try await clock.sleep(until: deadline)
                    fire()
                } catch {}
            })
        }
    }

    func cancel() {
        switch handle {
        case .manual(let clock, let id): clock.cancelTimer(id)
        case .task(let task): task.cancel()
        case nil: break
        }
    }
}
