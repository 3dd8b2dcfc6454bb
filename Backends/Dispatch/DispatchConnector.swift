import Dispatch
import HTTPCore

/// One TCP connect on a queue: resolve (off the queue: getaddrinfo blocks), then race the
/// addresses as `HappyEyeballs` plans, under an overall timeout. Queue-confined.
final class DispatchConnector: @unchecked Sendable {
    // @unchecked: created, driven and finished on `loop.queue` only.
    private struct Attempt {
        var fd: Int32
        var source: DispatchSourceWrite
    }

    private let loop: DispatchLoop
    private let host: String
    private let port: Int
    private let options: ConnectOptions
    private let waiter: Waiter<Int32>
    private let tracer: ConnectTracer
    private var planner = HappyEyeballs(addresses: [])
    private var attempts: [Int: Attempt] = [:]
    private var stagger: DispatchWorkItem?
    private var timeout: DispatchWorkItem?
    private var done = false

    init(loop: DispatchLoop, host: String, port: Int, options: ConnectOptions, clock: any HTTPClock, waiter: Waiter<Int32>) {
        tracer = ConnectTracer(options, clock: clock)
        self.loop = loop
        self.host = host
        self.port = port
        self.options = options
        self.waiter = waiter
    }

    func start() {
        if let limit = options.timeout {
            let item = DispatchWorkItem { [self] in
                finish(.failure(HTTPCoreError(.connectTimeout, "connect to \(host):\(port) timed out after \(limit)", processing: .notProcessed)))
            }
            timeout = item
            loop.queue.asyncAfter(deadline: .now() + .nanoseconds(Int(limit.nanosecondsClamped)), execute: item)
        }
        tracer.resolving(host)
        let (name, number, queue) = (host, port, loop.queue)
        // A serial queue of its own, not a global one (see `DispatchBackend.resolve`).
        DispatchQueue(label: "httpcore.dispatch.resolve").async {
            let result = POSIXSocket.resolve(host: name, port: number)
            queue.async { [self] in resolved(result) }
        }
    }

    private func resolved(_ result: Result<[ResolvedAddress], HTTPCoreError>) {
        guard !done else { return }
        switch result {
        case .failure(let error):
            finish(.failure(error))
        case .success(var addresses):
            tracer.resolved(host, addresses)
            if let local = options.localAddress { addresses = addresses.filter { $0.isIPv6 == local.contains(":") } }
            planner = HappyEyeballs(addresses: addresses)
            run(planner.begin())
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
                stagger?.cancel()
                let item = DispatchWorkItem { [self] in run(planner.staggerFired()) }
                stagger = item
                loop.queue.asyncAfter(deadline: .now() + .nanoseconds(Int(HappyEyeballs.stagger.nanosecondsClamped)), execute: item)
            case .succeed(let index, let losers):
                for loser in losers { abandon(loser) }
                guard let winner = attempts.removeValue(forKey: index) else { return }
                complete()
                // The socket is handed over once the probe source has let go of the fd; a
                // cancellation that won a moment earlier leaves nobody to own it.
                winner.source.setCancelHandler { [waiter] in
                    if !waiter.resume(returning: winner.fd) { POSIXSocket.close(winner.fd) }
                }
                winner.source.cancel()
            case .fail(let error):
                finish(.failure(error))
            }
        }
    }

    private func attempt(_ index: Int) {
        let target = planner.addresses[index]
        var fd: Int32 = -1
        do {
            let address = try POSIXSocket.Address(ip: target.ip, port: target.port)
            fd = try POSIXSocket.makeSocket(family: address.family)
            for option in options.socketOptions { try POSIXSocket.setOption(fd, option) }
            if let local = options.localAddress { try POSIXSocket.bind(fd, POSIXSocket.Address(ip: local, port: 0)) }
            _ = try POSIXSocket.startConnect(fd, address)
        } catch {
            if fd >= 0 { POSIXSocket.close(fd) }
            tracer.attemptFailed(target, HTTPCoreError.from(error, default: .connectFailed))
            run(planner.attemptFailed(index, error))
            return
        }
        // Writable means the connect finished, one way or the other.
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
        attempts[index] = Attempt(fd: fd, source: source)
        source.setEventHandler { [self] in
            guard !done, let attempt = attempts[index] else { return }
            if let error = POSIXSocket.connectResult(attempt.fd) {
                abandon(index)
                tracer.attemptFailed(target, error)
                run(planner.attemptFailed(index, error))
            } else {
                run(planner.attemptSucceeded(index))
            }
        }
        source.resume()
    }

    /// Drops an attempt: its fd closes once its source is cancelled.
    private func abandon(_ index: Int) {
        guard let attempt = attempts.removeValue(forKey: index) else { return }
        attempt.source.setCancelHandler { POSIXSocket.close(attempt.fd) }
        attempt.source.cancel()
    }

    private func finish(_ result: Result<Int32, HTTPCoreError>) {
        guard !done else { return }
        complete()
        switch result {
        case .success(let fd): if !waiter.resume(returning: fd) { POSIXSocket.close(fd) }
        case .failure(let error): waiter.resume(throwing: error)
        }
    }

    private func complete() {
        done = true
        // The work items capture `self`: drop them, or the pair outlives the connect.
        stagger?.cancel()
        timeout?.cancel()
        stagger = nil
        timeout = nil
        for index in Array(attempts.keys) { abandon(index) }
    }
}
