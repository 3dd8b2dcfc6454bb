import HTTPCore

extension MockNetworkBackend {
    private enum RaceEvent: Sendable {
        case connected(Int, any NetworkStream)
        case failed(Int, HTTPCoreError)
        case staggerFired
        case staggerDropped
    }

    /// Races `addresses` as `HappyEyeballs` plans, so the path a real backend takes after a
    /// lookup is tested without DNS or sockets. Each attempt is a connect to the IP literal
    /// (expectations, listeners and `connectRecords` see the address, not the name) and
    /// keeps the connect timeout of its own; the stagger runs on the manual clock.
    func race(_ addresses: [ResolvedAddress], options: ConnectOptions) async throws -> any NetworkStream {
        var planner = HappyEyeballs(addresses: addresses)
        let clock = manualClock
        let tracer = ConnectTracer(options, clock: clock)
        return try await withThrowingTaskGroup(of: RaceEvent.self) { group in
            var actions = planner.begin()
            // Set only by the event that `HappyEyeballs` then declares the winner.
            var winner: (any NetworkStream)?
            while true {
                tracer.planned(actions, planner)
                for action in actions {
                    switch action {
                    case .start(let index):
                        let address = planner.addresses[index]
                        let record = ConnectRecord(host: address.ip, port: address.port, unixPath: nil, options: options)
                        group.addTask {
                            do {
                                return .connected(index, try await self.connect(record, address: .inet(host: address.ip, port: address.port)))
                            } catch {
                                return .failed(index, HTTPCoreError.from(error, default: .connectFailed))
                            }
                        }
                    case .armStagger:
                        let deadline = clock.now + HappyEyeballs.stagger
                        group.addTask { (try? await clock.sleep(until: deadline)) != nil ? .staggerFired : .staggerDropped }
                    case .succeed(let index, _):
                        // The losers' connects are cancelled; any that connected anyway is closed.
                        group.cancelAll()
                        for try await case .connected(_, let loser) in group { await loser.close(.abortive) }
                        guard let winner else { preconditionFailure("HappyEyeballs chose attempt \(index), which did not connect") }
                        return winner
                    case .fail(let error):
                        group.cancelAll()
                        throw error
                    }
                }
                guard let event = try await group.next() else { preconditionFailure("a race with no attempt in flight did not finish") }
                if Task.isCancelled {
                    group.cancelAll()
                    if case .connected(_, let stream) = event { await stream.close(.abortive) }
                    throw HTTPCoreError(.cancelled, "connect cancelled", processing: .notProcessed)
                }
                switch event {
                case .connected(let index, let stream):
                    winner = stream
                    actions = planner.attemptSucceeded(index)
                case .failed(let index, let error):
                    tracer.attemptFailed(planner.addresses[index], error)
                    actions = planner.attemptFailed(index, error)
                case .staggerFired:
                    actions = planner.staggerFired()
                case .staggerDropped:
                    actions = []
                }
            }
        }
    }
}
