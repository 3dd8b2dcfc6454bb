import HTTPCore
import HTTPCoreClient
import HTTPCorePool
import HTTPTypes
import HXCore
import Synchronization

/// One `hx bench` run, checked and ready. Workers (C for HTTP/1.1, C x M for HTTP/2)
/// take request numbers from a shared counter until N are taken, so at most C x M
/// requests are in flight, through one pool limited to C connections.
struct BenchRun: Sendable {
    let spec: RequestSpec
    let settings: ConnectionSettings
    let backend: BackendChoice
    let threads: Int
    let requests: Int
    let clients: Int
    let streams: Int
    /// Through `HTTPClient` (`--client`) rather than `ConnectionPool.send`.
    let viaClient: Bool
    let verbose: Bool

    /// What the workers send through: the bare pool with a request built once, or the
    /// client with the request's parts (it builds the request each time, as users' code does).
    enum Target: Sendable {
        case pool(ConnectionPool, Request)
        case client(HTTPClient, RequestSpec, HTTPClient.Body)
    }

    private var isHTTP1: Bool { settings.mode == .http1 || (settings.mode == .auto && !spec.url.isHTTPS) }

    func run() async throws -> ExitStatus {
        if isHTTP1, streams > 1 {
            StandardIO.printError("hx bench: HTTP/1.1 carries one request at a time per connection: -m \(streams) counts as 1")
        }
        // No pool timeout: a request queued behind busy streams waits for them (each bounded
        // by the read timeout), as in h2load.
        let stdin = { () throws(HXFailure) in try StandardIO.readAll(0) }
        let network = backend.make(loops: threads)
        let shared = Shared()

        let cpuBefore = CPUTime.now()
        let start = ContinuousClock.now
        let outcome: Result<(BenchTally, [String], Duration, CPUTime), any Error>
        do {
            if viaClient {
                var configuration = settings.clientConfiguration(backend: network, total: nil)
                configuration.maxConnections = clients
                configuration.maxKeepaliveConnections = clients
                configuration.pool.maxHTTP2ConnectionsPerOrigin = clients
                let body = try spec.clientBody(stdin: stdin)
                outcome = .success(try await withHTTPClient(configuration) { client in
                    let tally = try await runWorkers(.client(client, spec, body), network, shared)
                    // Timed before the client shuts down: the run, not the goodbyes.
                    return (tally, client.connections, ContinuousClock.now - start, CPUTime.now() - cpuBefore)
                })
            } else {
                var options = RequestOptions()
                options.timeouts.pool = nil
                let request = try spec.makeRequest(options: options, stdin: stdin)
                var configuration = settings.poolConfiguration()
                configuration.maxConnections = clients
                configuration.maxKeepaliveConnections = clients
                configuration.maxHTTP2ConnectionsPerOrigin = clients
                outcome = .success(try await withConnectionPool(backend: network, configuration: configuration) { pool in
                    let tally = try await runWorkers(.pool(pool, request), network, shared)
                    return (tally, pool.connections, ContinuousClock.now - start, CPUTime.now() - cpuBefore)
                })
            }
        } catch {
            outcome = .failure(error)
        }
        await BackendChoice.shutDown(network)

        let (tally, connections, wall, cpu) = try outcome.mapError { error -> HXFailure in
            error as? HXFailure ?? HXFailure(HTTPCoreError.from(error, default: .readFailed))
        }.get()
        let report = BenchReport(
            requested: requests, tally: tally, wall: wall, cpuUser: cpu.user, cpuSystem: cpu.system,
            connections: connections.count, protocolLabel: shared.protocolLabel(settings.mode)
        )
        StandardIO.write(report.text + "\n", to: StandardIO.output)
        if verbose { for line in connections { StandardIO.printError(line) } }
        if Interrupts.happened {
            StandardIO.printError("hx: interrupted after \(tally.done) of \(requests) requests")
            return .cancelled
        }
        return report.allSucceeded ? .success : .failure
    }

    /// Starts the workers (C for HTTP/1.1, C x M for HTTP/2, at most N) and adds up their tallies.
    private func runWorkers(_ target: Target, _ network: any NetworkBackend, _ shared: Shared) async throws -> BenchTally {
        let workers = min(requests, isHTTP1 ? clients : clients * streams)
        return try await withThrowingTaskGroup(of: BenchTally.self) { group in
            // Workers run on the backend's loops, where the connections run: with one
            // loop (-t 1) a request never hops threads to reach its connection.
            let executors = BackendChoice.taskExecutors(of: network)
            for index in 0..<workers {
                group.addTask(executorPreference: executors.isEmpty ? nil : executors[index % executors.count]) {
                    try await work(target, shared)
                }
            }
            var total = BenchTally()
            for try await tally in group { total.merge(tally) }
            return total
        }
    }

    /// One request through the target, its body read as it arrives: status, declared and
    /// received lengths, version.
    private func exchange(_ target: Target) async throws -> (status: Int, contentLength: Int?, received: Int, version: HTTPVersion) {
        switch target {
        case .pool(let pool, let request):
            let response = try await pool.send(request)
            var received = 0
            for try await chunk in response.body { received += chunk.count }
            return (response.status.code, response.head.headerFields[.contentLength].flatMap { Int($0) }, received, response.version)
        case .client(let client, let spec, let body):
            return try await client.stream(spec.httpMethod, spec.url.text, headers: spec.headers, body: body) { response in
                var received = 0
                for try await chunk in response.body { received += chunk.count }
                return (response.statusCode, response.headers[.contentLength].flatMap { Int($0) }, received, response.version)
            }
        }
    }

    /// One worker: requests until the counter passes N. A failure to connect ends the run
    /// (every later request would fail the same way); any other error is counted.
    private func work(_ target: Target, _ shared: Shared) async throws -> BenchTally {
        var tally = BenchTally()
        while shared.next.add(1, ordering: .relaxed).oldValue < requests {
            let started = ContinuousClock.now
            do {
                let response = try await exchange(target)
                let latency = UInt64((ContinuousClock.now - started).nanoseconds)
                tally.record(
                    status: response.status, contentLength: response.contentLength, bodyBytes: response.received,
                    expected: shared.expectedLength(response.received, version: response.version), latency: latency
                )
            } catch {
                let failure = HTTPCoreError.from(error, default: .readFailed)
                // Ctrl-C: stop here, keeping what was counted for the report.
                if failure.category == .cancelled, Task.isCancelled { return tally }
                switch failure.category {
                case .network(.connect), .timeout(.connect), .tls, .proxy, .cancelled:
                    throw HXFailure(failure)
                default:
                    tally.recordError(HXFailure(failure).message, latency: UInt64((ContinuousClock.now - started).nanoseconds))
                }
            }
        }
        return tally
    }

    /// What the workers share: the request counter, the first body's length and version.
    final class Shared: Sendable {
        let next = Atomic<Int>(0)
        private let first = Locked<(length: Int, version: HTTPVersion)?>(nil)

        /// The length every body must have: the first one's (recorded here by whoever
        /// finishes first).
        func expectedLength(_ received: Int, version: HTTPVersion) -> Int {
            first.withLock { first in
                if first == nil { first = (received, version) }
                return first!.length
            }
        }

        func protocolLabel(_ mode: ProtocolMode) -> String {
            guard let version = first.withLock({ $0?.version }) else { return "no response" }
            return switch (version, mode) {
            case (.http2, .h2c): "HTTP/2 by prior knowledge (h2c)"
            case (.http2, _): "HTTP/2 over TLS"
            default: "\(version)"
            }
        }
    }
}
