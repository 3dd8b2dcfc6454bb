import HTTPCore

/// Runs one TCP connect on a loop: resolve, then race the addresses as `HappyEyeballs`
/// plans, under an overall timeout. Loop-confined.
final class UVConnector: @unchecked Sendable {
    // @unchecked: created, driven and finished on `loop`'s thread only.
    private let loop: UVLoop
    private let host: String
    private let port: Int
    private let options: ConnectOptions
    private let waiter: Waiter<UVSocket>
    private let tracer: ConnectTracer
    private var planner = HappyEyeballs(addresses: [])
    private var attempts: [Int: UVSocket] = [:]
    private var stagger: UVTimer?
    private var timeout: UVTimer?
    private var done = false

    init(loop: UVLoop, host: String, port: Int, options: ConnectOptions, clock: any HTTPClock, waiter: Waiter<UVSocket>) {
        tracer = ConnectTracer(options, clock: clock)
        self.loop = loop
        self.host = host
        self.port = port
        self.options = options
        self.waiter = waiter
    }

    func start() {
        if loop.isShuttingDown {
            return finish(.failure(HTTPCoreError(.connectionClosed, "the backend is shut down", processing: .notProcessed)))
        }
        if let limit = options.timeout {
            let timer = UVTimer(loop: loop)
            timeout = timer
            timer.start(after: limit) { [self] in
                finish(.failure(HTTPCoreError(.connectTimeout, "connect to \(host):\(port) timed out after \(limit)", processing: .notProcessed)))
            }
        }
        tracer.resolving(host)
        UVResolver.resolve(host: host, port: port, loop: loop) { [self] result in
            guard !done else { return }
            switch result {
            case .failure(let error):
                finish(.failure(error))
            case .success(var addresses):
                tracer.resolved(host, addresses)
                if let local = options.localAddress {
                    addresses = addresses.filter { $0.isIPv6 == local.contains(":") }
                }
                planner = HappyEyeballs(addresses: addresses)
                run(planner.begin())
            }
        }
    }

    func cancel() {
        finish(.failure(HTTPCoreError(.cancelled, "connect cancelled", processing: .notProcessed)))
    }

    private func run(_ actions: [HappyEyeballs.Action]) {
        tracer.planned(actions, planner)
        for action in actions {
            switch action {
            case .start(let index):
                attempt(index)
            case .armStagger:
                let timer = stagger ?? UVTimer(loop: loop)
                stagger = timer
                timer.start(after: HappyEyeballs.stagger) { [self] in run(planner.staggerFired()) }
            case .succeed(let index, let losers):
                for loser in losers { attempts.removeValue(forKey: loser)?.close(reset: true) }
                if let socket = attempts.removeValue(forKey: index) { finish(.success(socket)) }
            case .fail(let error):
                finish(.failure(error))
            }
        }
    }

    private func attempt(_ index: Int) {
        let address = planner.addresses[index]
        let socket: UVSocket
        do {
            socket = try UVSocket(tcpFor: address.isIPv6, loop: loop)
            for option in options.socketOptions { try socket.setOption(option) }
            if let local = options.localAddress { try socket.bind(ip: local, port: 0) }
        } catch {
            tracer.attemptFailed(address, error)
            run(planner.attemptFailed(index, error))
            return
        }
        attempts[index] = socket
        socket.connect(to: address) { [self] error in
            guard !done else { return }
            if let error {
                attempts.removeValue(forKey: index)?.close(reset: true)
                tracer.attemptFailed(address, error)
                run(planner.attemptFailed(index, error))
            } else {
                run(planner.attemptSucceeded(index))
            }
        }
    }

    private func finish(_ result: Result<UVSocket, HTTPCoreError>) {
        guard !done else { return }
        done = true
        stagger?.close()
        timeout?.close()
        for socket in attempts.values { socket.close(reset: true) }
        attempts = [:]
        switch result {
        case .success(let socket):
            // A cancellation may have won the race a moment earlier: then nobody owns the socket.
            if !waiter.resume(returning: socket) { socket.close(reset: true) }
        case .failure(let error):
            waiter.resume(throwing: error)
        }
    }
}
