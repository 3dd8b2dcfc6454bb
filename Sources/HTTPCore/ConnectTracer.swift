/// What a backend's connector tells `ConnectOptions.trace`: the lookup and each Happy
/// Eyeballs attempt, stamped with the backend's clock. One type for the three backends,
/// so they report the same events at the same points of the same race.
package struct ConnectTracer: Sendable {
    private let trace: RequestTrace?
    private let clock: any HTTPClock

    package init(_ options: ConnectOptions, clock: any HTTPClock) {
        trace = options.trace
        self.clock = clock
    }

    /// Before a lookup; an IP literal answers itself, so it has none to report.
    package func resolving(_ host: String) {
        guard let trace, IPAddressLiteral(host) == nil else { return }
        trace.record(.resolutionStarted(host: host), at: clock.now)
    }

    package func resolved(_ host: String, _ addresses: [ResolvedAddress]) {
        guard let trace, IPAddressLiteral(host) == nil else { return }
        trace.record(.resolutionEnded(addresses: addresses), at: clock.now)
    }

    /// The attempts `actions` start, and those `.succeed` ends (the winner, and the losers
    /// it cancels). Call before running the actions, so a start is stamped before its end.
    package func planned(_ actions: [HappyEyeballs.Action], _ planner: HappyEyeballs) {
        guard let trace else { return }
        let now = clock.now
        for action in actions {
            switch action {
            case .start(let index):
                trace.record(.attemptStarted(planner.addresses[index]), at: now)
            case .succeed(let index, let losers):
                trace.record(.attemptEnded(planner.addresses[index], failure: nil), at: now)
                for loser in losers { trace.record(.attemptEnded(planner.addresses[loser], failure: .cancelled), at: now) }
            case .armStagger, .fail:
                break
            }
        }
    }

    package func attemptFailed(_ address: ResolvedAddress, _ error: HTTPCoreError) {
        trace?.record(.attemptEnded(address, failure: error.code), at: clock.now)
    }
}
