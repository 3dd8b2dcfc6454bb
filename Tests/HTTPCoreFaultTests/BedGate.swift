import HTTPCoreTestSupport

/// A counting gate: `enter` waits while `width` holders are inside. The fault beds pass
/// through one each (client and server), so a few cases run at once: all 24 of a suite
/// together load two cores enough to make a timer fire 10% late.
actor BedGate {
    private let width: Int
    private var inside = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func enter() async {
        if inside < width {
            inside += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the place to the longest waiter, or frees it.
    func leave() {
        if waiting.isEmpty { inside -= 1 } else { waiting.removeFirst().resume() }
    }
}

extension BedGate {
    /// Runs `body` inside the gate.
    nonisolated func inside<T>(_ body: () async throws -> T) async throws -> T {
        await enter()
        return try await withTeardown(body) { await leave() }
    }
}
