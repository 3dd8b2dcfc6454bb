import Foundation
import HTTPCore
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// `HTTPServer` (in this process, on the root side of a veth pair) against a client that
/// misbehaves inside a network namespace (`Interop/peers/fault_client.py`, hand-written
/// HTTP/1.1 and h2c frames), over libuv and Dispatch, HTTP/1.1 and HTTP/2:
///
/// - killed mid-upload: the handler's read fails at once with a network error;
/// - reset mid-response (SO_LINGER 0): the handler's write fails at once;
/// - blackholed mid-response (iptables DROP, the client still reading): the write
///   timeout fires;
/// - half-open (part of a head sent, then DROP and the client killed): the request-head
///   timeout fires (HTTP/2: the idle timeout, since its preface and SETTINGS came);
/// - a slowloris head over a slow link (tc tbf): the request-head timeout fires, as a
///   total, not per byte;
/// - a client that stops reading a large download: the write timeout fires.
///
/// Each asserts the category (the handler's error and the server's count of how the
/// connection ended), the time to the error within 10% of the timeout that caused it,
/// that no connection, concurrency permit or socket descriptor is left, and that a
/// well-behaved client (curl, in the same namespace) is served next. The fault table is
/// printed at the end. Skipped, with the reason printed, where namespaces are not allowed.
@Suite(.networkNamespaces, .printsServerFaultTable)
struct ServerNetworkFaultTests {
    enum Fault: String, CaseIterable, Sendable {
        case killedMidUpload = "client killed mid-upload"
        case resetMidResponse = "client reset mid-response"
        case blackholedMidResponse = "client blackholed mid-response"
        case halfOpen = "half-open client"
        case slowLink = "slowloris head over a slow link"
        case stopsReading = "client stops reading a download"
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let fault: Fault
        let backend: BackendKind
        let wire: Wire
        var testDescription: String { "\(fault.rawValue), \(backend.rawValue), \(wire.rawValue)" }
    }

    static let cases = Fault.allCases.flatMap { fault in
        BackendKind.real.flatMap { backend in Wire.allCases.map { Case(fault: fault, backend: backend, wire: $0) } }
    }

    @Test(arguments: cases)
    func fault(_ test: Case) async throws {
        try await ServerFaultBed.run(test.backend, test.wire) { bed in
            switch test.fault {
            case .killedMidUpload: try await killedMidUpload(bed, test)
            case .resetMidResponse: try await resetMidResponse(bed, test)
            case .blackholedMidResponse: try await blackholedMidResponse(bed, test)
            case .halfOpen: try await halfOpen(bed, test)
            case .slowLink: try await slowLink(bed, test)
            case .stopsReading: try await stopsReading(bed, test)
            }
        }
    }

    private func killedMidUpload(_ bed: ServerFaultBed, _ test: Case) async throws {
        try await bed.withClient("upload") { client in
            try await client.waitForLine(startingWith: "SENT")
            try await eventually("the handler reads the upload") { bed.probe.uploadStarted }
            let killed = ContinuousClock.now
            await client.signal(SIGKILL)
            let failure = try await bed.handlerFailure()
            // FIN (HTTP/1.1: the client had read nothing) or RST (HTTP/2: the server's SETTINGS
            // lay unread): one category for the handler either way.
            #expect(failure.error.category == .network(.read), "\(failure.error)")
            #expect(failure.error.code == (test.wire == .http1 ? .truncatedRequest : .connectionReset), "\(failure.error)")
            try await bed.expectEnded(.aborted)
            ServerFaultTable.shared.record(test, handler: failure.error, end: .aborted, measured: killed.duration(to: failure.at))
            #expect(killed.duration(to: failure.at) < ServerFaultBed.atOnce, "a dead client is seen at once, not at a timeout")
        }
    }

    private func resetMidResponse(_ bed: ServerFaultBed, _ test: Case) async throws {
        try await bed.withClient("reset") { client in
            try await client.waitForLine(startingWith: "RESET")
            let reset = ContinuousClock.now
            let failure = try await bed.handlerFailure()
            #expect([.network(.read), .network(.write)].contains(failure.error.category), "\(failure.error)")
            try await bed.expectEnded(.aborted)
            ServerFaultTable.shared.record(test, handler: failure.error, end: .aborted, measured: max(.zero, reset.duration(to: failure.at)))
            #expect(reset.duration(to: failure.at) < ServerFaultBed.atOnce, "a reset is seen at once, not at a timeout")
        }
    }

    private func blackholedMidResponse(_ bed: ServerFaultBed, _ test: Case) async throws {
        try await bed.withClient("drain") { client in
            try await client.waitForLine(startingWith: "READ")
            try await bed.namespace.blackhole()
            try await expectWriteTimeout(bed, test)
            try await bed.namespace.clearRules()
        }
    }

    private func stopsReading(_ bed: ServerFaultBed, _ test: Case) async throws {
        try await bed.withClient("stall") { client in
            try await client.waitForLine(startingWith: "READ")
            try await expectWriteTimeout(bed, test)
        }
    }

    /// The handler's stalled write fails with `.writeTimeout`, `timeouts.write` after its
    /// last write went through, and the connection ends by the write timeout.
    private func expectWriteTimeout(_ bed: ServerFaultBed, _ test: Case) async throws {
        let failure = try await bed.handlerFailure(within: .seconds(20))
        #expect(failure.error.code == .writeTimeout, "\(failure.error)")
        let stalled = failure.sinceProgress
        expectWithinTenPercent(stalled, of: ServerFaultBed.timeouts.write!)
        try await bed.expectEnded(.timeout(.write))
        ServerFaultTable.shared.record(test, handler: failure.error, end: .timeout(.write), measured: stalled, timeout: ServerFaultBed.timeouts.write)
    }

    private func halfOpen(_ bed: ServerFaultBed, _ test: Case) async throws {
        try await bed.withClient("half-head") { client in
            try await client.waitForLine(startingWith: "SENT")
            try await bed.namespace.blackhole()
            await client.signal(SIGKILL) // its FIN (or RST) is dropped: the server never hears of it
            // HTTP/1.1: the head is incomplete, so `requestHead` (from the accept) ends it.
            // HTTP/2: the preface and SETTINGS came, the rest of a HEADERS frame never does,
            // and a connection with no stream ends at `idle` after the client's last byte.
            let (end, timeout): (HTTPServer.ConnectionEnd, Duration) = test.wire == .http1
                ? (.timeout(.requestHead), ServerFaultBed.timeouts.requestHead!)
                : (.timeout(.idle), ServerFaultBed.timeouts.idle!)
            let lasted = try await bed.expectEnded(end)
            expectWithinTenPercent(lasted, of: timeout)
            ServerFaultTable.shared.record(test, handler: nil, end: end, measured: lasted, timeout: timeout)
            try await bed.namespace.clearRules()
        }
    }

    private func slowLink(_ bed: ServerFaultBed, _ test: Case) async throws {
        try await bed.namespace.shape(.fromPeer, rateKbit: 16)
        try await bed.withClient("slowloris") { client in
            // A byte every 50 ms (HTTP/2: of its preface) keeps the connection busy, but the
            // head is due whole within `requestHead` of the accept.
            let timeout = ServerFaultBed.timeouts.requestHead!
            let lasted = try await bed.expectEnded(.timeout(.requestHead))
            expectWithinTenPercent(lasted, of: timeout)
            ServerFaultTable.shared.record(test, handler: nil, end: .timeout(.requestHead), measured: lasted, timeout: timeout)
            try await client.waitForLine(startingWith: "CLOSED")
            try await bed.namespace.unshape(.fromPeer)
        }
    }
}

/// One server fault test's world: a namespace, `HTTPServer` on this side of its veth
/// pair, and a probe of what the handler and the server saw. `run` takes it all down
/// whatever the test did, and checks that the next client is served and that nothing
/// (connection, permit, descriptor) is left.
struct ServerFaultBed {
    let namespace: NetworkNamespace
    let fixture: BackendFixture
    let server: HTTPServer
    let probe: ServerFaultProbe
    let wire: Wire
    let port: Int

    /// This process's sockets connected to a client in the namespace (the listener, bound
    /// here with no peer, is not one).
    var clientSockets: Int { TCPSocketTable.openDescriptors(matching: [namespace.peerAddress]) }

    /// About a second each, and distinct, so the time to an error names its timer.
    static let timeouts: HTTPServer.Timeouts = {
        var timeouts = HTTPServer.Timeouts()
        timeouts.requestHead = .seconds(1)
        timeouts.write = .milliseconds(1200)
        timeouts.idle = .milliseconds(1500)
        timeouts.body = .seconds(5)
        return timeouts
    }()

    /// Well under every timeout (the shortest is 1 s; the body timeout, which a dead
    /// uploader would otherwise meet, is 5 s), with room for a loaded machine.
    static let atOnce = Duration.milliseconds(900)

    /// At most this many beds at once: all 24 together (or 8, with other work on the
    /// machine) load two cores enough to make a timer fire 10% late.
    private static let gate = BedGate(width: 4)

    static func run(_ backend: BackendKind, _ wire: Wire, _ body: (ServerFaultBed) async throws -> Void) async throws {
        try await gate.inside {
            let namespace = try await NetworkNamespace.create()
            try await withTeardown {
                try await run(backend, wire, in: namespace, body)
            } teardown: {
                await namespace.destroy()
            }
        }
    }

    private static func run(_ backend: BackendKind, _ wire: Wire, in namespace: NetworkNamespace, _ body: (ServerFaultBed) async throws -> Void) async throws {
        let fixture = backend.makeFixture()
        let probe = ServerFaultProbe()
        var configuration = HTTPServer.Configuration(address: .tcp(host: namespace.hostAddress, port: 0))
        configuration.timeouts = timeouts
        configuration.concurrency = 8
        configuration.onEvent = { probe.record($0) }
        let server = try await HTTPServer.start(backend: fixture.backend, configuration: configuration) { request, response in
            try await probe.handle(request, response)
        }
        guard case .inet(_, let port) = server.localAddress else { throw HarnessError("no TCP address") }
        let bed = ServerFaultBed(namespace: namespace, fixture: fixture, server: server, probe: probe, wire: wire, port: port)
        try await withTeardown {
            try await body(bed)
            try await bed.expectNextClientServedAndNothingLeft()
        } teardown: {
            await server.shutdown()
            await fixture.shutdown()
        }
        // Dispatch closes a listener's descriptor once its sources are cancelled, a moment later.
        try await eventually("no socket to the namespace outlives the server") { namespace.openSockets() == 0 }
    }

    private static let script = TestPKI.repositoryRoot.appendingPathComponent("Interop/peers/fault_client.py").path

    /// Runs `body` with `fault_client.py` playing `scenario` inside the namespace, and
    /// stops the client afterwards.
    func withClient(_ scenario: String, _ body: (NamespacedProcess) async throws -> Void) async throws {
        let client = try namespace.start("/usr/bin/python3", [Self.script, namespace.hostAddress, "\(port)", wire.rawValue, scenario])
        try await withTeardown { try await body(client) } teardown: { await client.stop() }
    }

    /// The handler's failure (recorded by the probe), waiting at most `within`.
    func handlerFailure(within timeout: Duration = .seconds(10)) async throws -> ServerFaultProbe.Failure {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let failure = probe.failure { return failure }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw HarnessError("the handler saw no failure within \(timeout)")
    }

    /// Waits (at most 10 s) until the server counts a connection that ended by `end`, and
    /// returns how long it had been open.
    @discardableResult
    func expectEnded(_ end: HTTPServer.ConnectionEnd, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Duration {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let lasted = probe.ended(end) { return lasted }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no connection ended by \(end): \(probe.endsSeen)", sourceLocation: sourceLocation)
        return .zero
    }

    /// Nothing of the faulty client is left (connection, permit, descriptor), and curl,
    /// from the same namespace, gets its answer.
    func expectNextClientServedAndNothingLeft(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("the faulty connection, its permit and its descriptor are gone", sourceLocation: sourceLocation) {
            server.connectionCount == 0 && server.requestsInFlight == 0 && clientSockets == 0
        }
        #expect(server.connectionCount == 0 && server.requestsInFlight == 0 && clientSockets == 0,
                "\(server.connectionCount) connections, \(server.requestsInFlight) requests, \(clientSockets) sockets to the client",
                sourceLocation: sourceLocation)
        let version = wire == .http1 ? "--http1.1" : "--http2-prior-knowledge"
        let answer = try await namespace.exec("/usr/bin/curl", ["-sS", "--max-time", "10", version, "http://\(namespace.hostAddress):\(port)/ok"])
        #expect(answer == "ok", sourceLocation: sourceLocation)
        try await eventually("curl's connection is gone too", timeout: .seconds(10), sourceLocation: sourceLocation) {
            server.connectionCount == 0 && clientSockets == 0
        }
        #expect(server.connectionCount == 0 && clientSockets == 0,
                "\(server.connectionCount) connections, \(clientSockets) sockets to the client, ends: \(probe.endsSeen)",
                sourceLocation: sourceLocation)
    }
}

/// The handler of the fault tests, and what it and the server saw: "/download" writes up
/// to 1 GiB in 64 KiB pieces, "/upload" reads the body, "/ok" answers "ok".
final class ServerFaultProbe: Sendable {
    struct Failure: Sendable {
        var error: HTTPCoreError
        var at: ContinuousClock.Instant
        /// From the handler's last read or write that went through to the failure.
        var sinceProgress: Duration
    }

    private struct State {
        var failure: Failure?
        var uploadStarted = false
        var ends: [(HTTPServer.ConnectionEnd, Duration)] = []
    }

    private let state = Locked(State())

    var failure: Failure? { state.withLock { $0.failure } }
    var uploadStarted: Bool { state.withLock { $0.uploadStarted } }

    /// How long the first connection that ended by `end` had been open.
    func ended(_ end: HTTPServer.ConnectionEnd) -> Duration? {
        state.withLock { $0.ends.first { $0.0 == end }?.1 }
    }

    /// Every end seen, with its duration, for a failure's message.
    var endsSeen: String { state.withLock { $0.ends.map { "\($0.0) after \($0.1)" }.joined(separator: ", ") } }

    func record(_ event: HTTPServer.Event) {
        guard case .connectionEnded(let end, let duration, _) = event else { return }
        state.withLock { $0.ends.append((end, duration)) }
    }

    func handle(_ request: HTTPServerRequest, _ response: HTTPServerResponseWriter) async throws {
        var progress = ContinuousClock.now
        do {
            switch request.head.path {
            case "/upload":
                for try await _ in request.body {
                    progress = .now
                    state.withLock { $0.uploadStarted = true }
                }
                try await response.respond(HTTPResponse(status: .ok))
            case "/download":
                try await response.writeHead(HTTPResponse(status: .ok))
                let piece = [UInt8](repeating: 0x64, count: 64 << 10)
                for _ in 0..<(1 << 14) {
                    try await response.write(piece)
                    progress = .now
                }
                try await response.finish()
            default:
                try await response.respond(HTTPResponse(status: .ok), body: Array("ok".utf8))
            }
        } catch {
            let now = ContinuousClock.now
            let failure = Failure(error: HTTPCoreError.from(error, default: .readFailed), at: now, sinceProgress: progress.duration(to: now))
            state.withLock { $0.failure = $0.failure ?? failure }
            throw error
        }
    }
}

/// The server's fault table (case x backend x protocol: what the handler saw, how the
/// server counted the connection's end, the time against the timeout that caused it),
/// each row printed as its test ends and the whole table once the suite has run.
final class ServerFaultTable: Sendable {
    static let shared = ServerFaultTable()
    private let rows = Locked<[FaultTable.Row]>([])

    func record(_ test: ServerNetworkFaultTests.Case, handler: HTTPCoreError?, end: HTTPServer.ConnectionEnd, measured: Duration, timeout: Duration? = nil) {
        let handler = handler.map { "handler \($0.category) \($0.code)" } ?? "no request"
        let row = FaultTable.Row(
            fault: test.fault.rawValue, backend: test.backend, wire: test.wire, outcome: "\(handler); connection \(end)",
            measured: measured, timeout: timeout
        )
        rows.withLock { $0.append(row) }
        print("SERVER FAULT \(row.line)")
    }

    func printTable() {
        let rows = rows.withLock { $0 }
        guard !rows.isEmpty else { return }
        let sorted = rows.sorted { ($0.fault, $0.backend.rawValue, $0.wire.rawValue) < ($1.fault, $1.backend.rawValue, $1.wire.rawValue) }
        let header = ["FAULT TABLE (server)", "| fault | backend | protocol | handler error; connection end | time to error |", "|---|---|---|---|---|"]
        print((header + sorted.map(\.line)).joined(separator: "\n"))
    }
}

/// Prints the server's fault table once the suite it is attached to has run.
struct PrintsServerFaultTable: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    @concurrent func provideScope(for test: Test, testCase: Test.Case?, performing function: @concurrent @Sendable () async throws -> Void) async throws {
        defer { ServerFaultTable.shared.printTable() }
        try await function()
    }
}

extension Trait where Self == PrintsServerFaultTable {
    static var printsServerFaultTable: Self { PrintsServerFaultTable() }
}
