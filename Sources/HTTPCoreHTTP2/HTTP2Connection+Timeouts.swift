import HTTPCore

extension HTTP2Connection {
    /// Every deadline of the connection, from one task: it sleeps until the machine's
    /// earliest deadline, lets the machine fail what is overdue (`timerFired`), and sleeps
    /// again. Deadlines mostly arrive later than the one it sleeps for, so a request costs
    /// no task or timer of its own; an earlier one wakes it (`rescheduleTimer`).
    func timerLoop() async {
        while true {
            var followUp = FollowUp()
            let next = state.withLock { state -> (target: HTTPInstant?, waiter: Waiter<Void>)? in
                guard state.machine.closeError == nil else { return nil }
                state.apply(state.machine.timerFired(now: clock.now), into: &followUp)
                let waiter = Waiter<Void>()
                state.timerWaiter = waiter
                return (state.machine.timerTarget, waiter)
            }
            await finish(followUp)
            notifyObserver() // a timeout may have put the peer's liveness in question
            guard let (target, waiter) = next else { return }
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
