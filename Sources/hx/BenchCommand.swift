import ArgumentParser
import HXCore

/// `hx bench`: N requests over C connections with up to M streams each, like h2load.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load test: N requests over C connections, up to M concurrent streams each (like h2load).",
        discussion: """
            Every response must have a 2xx status and a body as long as its Content-Length
            (or, without one, as the first response's). Prints req/s, MB/s of bodies,
            latency min/max/mean/sd/p50/p99, errors, and the client's CPU time (getrusage
            user+sys over the run) per request. HTTP/1.1 carries one request at a time per
            connection, so -m counts only for HTTP/2. Exits 0 when every request succeeded,
            1 when some failed, and with the failure's code when connecting fails.
            """
    )

    @Option(name: [.customShort("n"), .customLong("requests")], help: "Requests in total.")
    var requests = 1

    @Option(name: [.customShort("c"), .customLong("clients")], help: "Connections (pool maxConnections and HTTP/2 fan-out per origin).")
    var clients = 1

    @Option(name: [.customShort("m"), .customLong("max-concurrent-streams")], help: "Requests in flight per connection (HTTP/2).")
    var streams = 1

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Backend event loops (libuv) or queues (Dispatch).")
    var threads = 1

    @Option(name: [.customShort("X"), .customLong("request")], help: ArgumentHelp("Method.", valueName: "method"))
    var method: String?

    @Option(name: [.customShort("H"), .customLong("header")], help: ArgumentHelp("Request field, repeatable.", valueName: "Name: value"))
    var headers: [String] = []

    @OptionGroup(title: "Body") var body: BodyOptions

    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    @Flag(help: "Send through HTTPClient (the client layer users call) instead of the bare pool, to measure what the client adds.")
    var client = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Also list the pool's connections at the end.")
    var verbose = false

    @Argument(help: ArgumentHelp("The URL to request.", valueName: "url"))
    var url: String

    mutating func validate() throws {
        _ = try usageChecked(makeRun)
    }

    mutating func run() async throws {
        let run = try usageChecked(makeRun)
        let status = try await run.run()
        if status != .success { throw ExitCode(status.rawValue) }
    }

    func makeRun() throws(HXFailure) -> BenchRun {
        let limits = [(requests, "-n", 100_000_000), (clients, "-c", 10_000), (streams, "-m", 10_000), (threads, "-t", 64)]
        for (value, name, limit) in limits where !(1...limit).contains(value) {
            throw HXFailure(.usage, "\(name) must be between 1 and \(limit), not \(value)")
        }
        let spec = try RequestSpec(method: method, url: url, headers: headers, body: try body.spec())
        let settings = try connection.settings(for: spec.url)
        return BenchRun(
            spec: spec, settings: settings, backend: connection.backend, threads: threads,
            requests: requests, clients: clients, streams: streams, viaClient: client, verbose: verbose
        )
    }
}
