import HTTPCore
import HTTPCoreClient
import HTTPCoreDispatch
import HTTPCoreHTTP2
import HTTPCoreLibUV
import HTTPCorePool
import HTTPCoreServer
#if canImport(Glibc)
import Glibc
#endif

/// One protocol's soak: a server and a client in this process, each on a backend of its
/// own, `workers` tasks sending `requests` requests between them as their plans say,
/// samples along the way, then the checks: nothing left in the pool or the connections,
/// the server idle, resident memory within its bound after warm-up, and, once both ends
/// are shut down, the descriptors the process had before the phase.
struct SoakPhase {
    let wire: SoakOptions.Wire
    let options: SoakOptions

    struct Report {
        var tally = SoakTally()
        var samples: [SoakSample] = []
        var failures: [String] = []
        var seconds = 0.0
        var growthMiB = 0.0
        var descriptors = (baseline: 0, end: 0)
        /// The pool's connections after the last request, printed when a check fails.
        var connections = ""
    }

    /// What the workers share.
    final class Shared: Sendable {
        let next = Locked(0)
        let tally = Locked(SoakTally())
        let samples = Locked<[SoakSample]>([])
    }

    func run() async -> Report {
        var report = Report()
        report.descriptors.baseline = ProcessGauges.openDescriptors()
        let serverBackend = makeBackend(), clientBackend = makeBackend()
        let server: HTTPServer
        let client: HTTPClient
        do {
            server = try await HTTPServer.start(backend: serverBackend, configuration: serverConfiguration(), SoakOrigin.handle)
            client = try HTTPClient(configuration: clientConfiguration(clientBackend))
        } catch {
            report.failures.append("could not start: \(error)")
            return report
        }
        guard case .inet(let host, let port) = server.localAddress else {
            report.failures.append("the server listens on \(server.localAddress), not TCP")
            return report
        }
        let base = "http://\(host):\(port)"
        let shared = Shared()
        let start = ContinuousClock.now
        let interval = max(1, options.requests / 100)
        let sample = { @Sendable (done: Int) -> SoakSample in
            let snapshot = client.snapshot
            return SoakSample(
                requests: done, seconds: Self.seconds(since: start), residentBytes: ProcessGauges.residentBytes(),
                descriptors: ProcessGauges.openDescriptors(), poolConnections: snapshot?.connections.count ?? 0,
                activeRequests: snapshot?.activeRequests ?? 0, queuedRequests: snapshot?.queuedRequests ?? 0,
                serverConnections: server.connectionCount, serverInFlight: server.requestsInFlight
            )
        }
        let watchdog = Task { await Self.watch(shared, client: client) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<options.workers {
                group.addTask {
                    while let index = shared.next.withLock({ next -> Int? in
                        guard next < options.requests else { return nil }
                        defer { next += 1 }
                        return next
                    }) {
                        let plan = SoakPlan(seed: options.seed, index: index, cancelPercent: options.cancelPercent, faultEvery: options.faultEvery)
                        let result = await Self.send(plan, client: client, base: base)
                        let done = shared.tally.withLock { tally in
                            tally.record(plan, result)
                            return tally.done
                        }
                        if done % interval == 0 {
                            let taken = sample(done)
                            shared.samples.withLock { $0.append(taken) }
                        }
                    }
                }
            }
        }
        watchdog.cancel()
        report.seconds = Self.seconds(since: start)
        report.tally = shared.tally.withLock { $0 }

        // Every body was read or closed: nothing may hold a slot, a stream or a queue place.
        // Both waits end well before an idle connection expires (5 s), which would free
        // whatever it held and hide the leftover.
        if let leak = await Self.poll("the pool after the last request", seconds: 2, { Self.leftovers(client) }) {
            report.failures.append("after the last request: \(leak)")
        }
        if let busy = await Self.poll("the server after the last request", seconds: 2, {
            let (tracked, keptEnds) = server.http2StreamLeftovers
            return server.requestsInFlight == 0 && tracked == 0 && keptEnds == 0
                ? nil : "\(server.requestsInFlight) requests in flight, \(tracked) HTTP/2 streams tracked, \(keptEnds) request ends kept"
        }) {
            report.failures.append("the server after the last request: \(busy)")
        }
        var samples = shared.samples.withLock { $0 }.sorted { $0.requests < $1.requests }
        samples.append(sample(options.requests))
        report.samples = samples
        report.growthMiB = Self.growth(samples, requests: options.requests)
        if report.growthMiB > Double(options.maxGrowthMiB) {
            report.failures.append("resident memory grew \(format(report.growthMiB, 1)) MiB after warm-up (limit \(options.maxGrowthMiB) MiB)")
        }
        report.connections = client.connections.joined(separator: "\n")

        await client.shutdown()
        if let open = await Self.poll("the server after the client shut down", seconds: 10, {
            server.connectionCount == 0 && server.requestsInFlight == 0
                ? nil : "\(server.connectionCount) connections, \(server.requestsInFlight) requests in flight"
        }) {
            report.failures.append("the server after the client shut down: \(open)")
        }
        await server.shutdown()
        if let backend = serverBackend as? LibUVBackend { await backend.shutdown() }
        if let backend = clientBackend as? LibUVBackend { await backend.shutdown() }
        let baseline = report.descriptors.baseline
        if let left = await Self.poll("the descriptors after shutdown", seconds: 5, {
            let open = ProcessGauges.openDescriptors()
            return open == baseline ? nil : "\(open) descriptors open, \(baseline) before the phase"
        }) {
            report.failures.append("after shutdown: \(left): " + ProcessGauges.descriptorTargets().joined(separator: ", "))
        }
        report.descriptors.end = ProcessGauges.openDescriptors()
        return report
    }

    /// A short run of the phase's kind whose report is dropped, so that what the process
    /// opens for good the first time (see main.swift) is open before a baseline.
    func warmUpProcess() async {
        var options = options
        options.requests = 500
        _ = await SoakPhase(wire: wire, options: options).run()
    }

    // MARK: - One request

    /// Sends `plan`'s request and reads its response, cancelling where the plan says.
    static func send(_ plan: SoakPlan, client: HTTPClient, base: String) async -> Result<Void, any Error> {
        switch plan.cancel {
        case nil:
            do {
                try await exchange(plan, client: client, base: base, cancelAfterChunks: nil)
                return .success(())
            } catch {
                return .failure(error)
            }
        case .beforeSend:
            return await Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await exchange(plan, client: client, base: base, cancelAfterChunks: nil)
            }.result
        case .afterDelay(let microseconds):
            let task = Task { try await exchange(plan, client: client, base: base, cancelAfterChunks: nil) }
            try? await Task.sleep(for: .microseconds(microseconds))
            task.cancel()
            return await task.result
        case .midBody(let chunks):
            return await Task { try await exchange(plan, client: client, base: base, cancelAfterChunks: chunks) }.result
        }
    }

    /// One exchange, checked: the status, the body's length, an upload's echoed count.
    static func exchange(_ plan: SoakPlan, client: HTTPClient, base: String, cancelAfterChunks: Int?) async throws {
        var method = HTTPRequest.Method.get
        var body = HTTPClient.Body.empty
        var expected: Int? = 0
        var echo: String?
        switch plan.exchange {
        case .empty: expected = 0
        case .small: expected = SoakOrigin.smallBody.count
        case .large: expected = SoakOrigin.largeBody.count
        case .chunked: expected = SoakOrigin.chunk.count * SoakOrigin.chunkCount
        case .uploadBytes:
            method = .post
            body = .bytes(SoakOrigin.uploadBytes)
            echo = String(SoakOrigin.uploadBytes.count)
        case .uploadStream:
            method = .post
            body = .stream(RepeatedChunks(chunk: SoakOrigin.uploadChunk, count: SoakOrigin.uploadChunkCount))
            echo = String(SoakOrigin.uploadChunk.count * SoakOrigin.uploadChunkCount)
        }
        if let echo { expected = echo.utf8.count }
        var status = 200
        var timeouts: Timeouts?
        switch plan.fault {
        case .slowHead: timeouts = Timeouts(connect: .seconds(5), read: .milliseconds(5), write: .seconds(5), pool: .seconds(5))
        case .failBeforeHead:
            status = 500
            expected = nil
        case .abortMidBody, .shortBody, nil: break
        }
        try await client.stream(method, base + SoakOrigin.path(plan), body: body, timeouts: timeouts) { response in
            guard response.head.status.code == status else {
                throw WrongAnswer(description: "status \(response.head.status.code), not \(status)")
            }
            if cancelAfterChunks == 0 { withUnsafeCurrentTask { $0?.cancel() } }
            var received = 0, chunks = 0
            var echoed: [UInt8] = []
            for try await chunk in response.body {
                received += chunk.count
                chunks += 1
                if echo != nil { echoed += chunk }
                if chunks == cancelAfterChunks { withUnsafeCurrentTask { $0?.cancel() } }
            }
            if let expected, received != expected {
                throw WrongAnswer(description: "\(received) body bytes from \(SoakOrigin.path(plan)), not \(expected)")
            }
            if let echo, String(decoding: echoed, as: UTF8.self) != echo {
                throw WrongAnswer(description: "the upload echoed \(String(decoding: echoed, as: UTF8.self)), not \(echo)")
            }
        }
    }

    // MARK: - Set-up

    func makeBackend() -> any NetworkBackend {
        switch options.backend {
        case .libuv: LibUVBackend()
        case .dispatch: DispatchBackend()
        }
    }

    func serverConfiguration() -> HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration(address: .tcp(host: "127.0.0.1", port: 0))
        // A limit, so that `requestsInFlight` counts the handlers (it counts permits), and
        // far above the workers, so that it never queues one.
        configuration.concurrency = 4 * options.workers + 64
        // The client resets a stream for every cancelled request: 20% of thousands a
        // second is far past the rapid-reset defence's default budget (33 a second after a
        // burst of 1,000), which would answer with GOAWAY. This server trusts its client.
        configuration.http2Connection.streamResetBurst = 1 << 30
        configuration.http2Connection.streamResetRatePerSecond = 1 << 30
        return configuration
    }

    func clientConfiguration(_ backend: any NetworkBackend) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        // HTTP/2 over cleartext by prior knowledge (h2c): no TLS, so the soak measures the
        // HTTP layers, the pool and the backend, not OpenSSL.
        configuration.http1 = wire == .http1
        configuration.http2 = wire == .http2
        configuration.maxConnections = 2 * options.workers
        configuration.maxKeepaliveConnections = options.workers
        configuration.decoding = nil
        configuration.storesCookies = false
        configuration.trustEnvironment = false
        return configuration
    }

    // MARK: - Checks

    /// What still holds a slot, a stream, an upload or a queue place; nil when nothing does.
    static func leftovers(_ client: HTTPClient) -> String? {
        var found: [String] = []
        if let snapshot = client.snapshot {
            if snapshot.activeRequests > 0 { found.append("\(snapshot.activeRequests) requests hold pool slots") }
            if snapshot.queuedRequests > 0 { found.append("\(snapshot.queuedRequests) requests queued") }
        }
        for connection in client.pool?.openConnections ?? [] {
            if let http2 = connection as? HTTP2Connection {
                let open = http2.streamUsage.open, tracked = http2.trackedStreamCount, uploads = http2.uploadCount
                if open + tracked + uploads > 0 {
                    found.append("\(http2.description): \(open) stream slots, \(tracked) streams tracked, \(uploads) uploads")
                }
            } else if connection.description.contains("ACTIVE") {
                found.append(connection.description)
            }
        }
        return found.isEmpty ? nil : found.joined(separator: "; ")
    }

    /// Polls `check` (nil: settled) every 10 ms for up to `seconds`; its last complaint.
    /// Settling that took more than 100 ms is printed with the first complaint: a count
    /// that reaches zero only when an idle connection expires is a leftover too.
    static func poll(_ what: String, seconds: Int, _ check: () -> String?) async -> String? {
        let start = ContinuousClock.now
        let first = check()
        while let complaint = check() {
            if ContinuousClock.now >= start + .seconds(seconds) { return complaint }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let took = Self.seconds(since: start)
        if let first, took > 0.1 { print("settle: \(what) took \(format(took, 2)) s; at first: \(first)") }
        return nil
    }

    /// The peak resident memory after warm-up (the first 10% of the requests) less the
    /// resident memory at its end, in MiB.
    static func growth(_ samples: [SoakSample], requests: Int) -> Double {
        guard let warm = samples.firstIndex(where: { $0.requests >= requests / 10 }) else { return 0 }
        let peak = samples[warm...].map(\.residentBytes).max() ?? samples[warm].residentBytes
        return Double(peak - samples[warm].residentBytes) / Double(1 << 20)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// Fails the run when no request has finished for a minute (a hang), with the pool's
    /// connections for the report.
    static func watch(_ shared: Shared, client: HTTPClient) async {
        var last = -1, still = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let done = shared.tally.withLock { $0.done }
            if done != last {
                (last, still) = (done, 0)
                continue
            }
            still += 1
            if still >= 60 {
                print("httpcore-soak: FAILED: no request finished for 60 s after \(done); the pool:")
                print((client.snapshot.map { "\($0)" }) ?? "no pool")
                for line in client.connections { print("  \(line)") }
                exit(1)
            }
        }
    }
}

/// An upload of `count` copies of `chunk`, without a length (chunked over HTTP/1.1).
struct RepeatedChunks: AsyncSequence, Sendable {
    let chunk: [UInt8]
    let count: Int

    func makeAsyncIterator() -> Iterator { Iterator(chunk: chunk, left: count) }

    struct Iterator: AsyncIteratorProtocol {
        let chunk: [UInt8]
        var left: Int

        mutating func next() async -> [UInt8]? {
            guard left > 0 else { return nil }
            left -= 1
            return chunk
        }
    }
}
