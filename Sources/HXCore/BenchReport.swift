/// The summary `hx bench` prints, laid out like h2load's.
public struct BenchReport: Sendable {
    public var requested: Int
    public var tally: BenchTally
    public var wall: Duration
    /// Process CPU time over the run (getrusage), in seconds.
    public var cpuUser: Double
    public var cpuSystem: Double
    /// Connections the pool held at the end, and what they spoke.
    public var connections: Int
    public var protocolLabel: String

    public init(requested: Int, tally: BenchTally, wall: Duration, cpuUser: Double, cpuSystem: Double, connections: Int, protocolLabel: String) {
        self.requested = requested
        self.tally = tally
        self.wall = wall
        self.cpuUser = cpuUser
        self.cpuSystem = cpuSystem
        self.connections = connections
        self.protocolLabel = protocolLabel
    }

    public var allSucceeded: Bool { tally.succeeded == requested }

    public var text: String {
        let seconds = wall.nanoseconds / 1e9
        let perSecond = seconds > 0 ? Double(tally.done) / seconds : 0
        let bytesPerSecond = seconds > 0 ? Double(tally.bodyBytes) / seconds : 0
        let classes = tally.statusClasses
        var lines = [
            "finished in \(Units.duration(wall)), \(Units.fixed(perSecond, 2)) req/s, \(Units.bytes(bytesPerSecond))/s (bodies)",
            "requests: \(requested) total, \(tally.done) done, \(tally.succeeded) succeeded, "
                + "\(tally.failedStatus + tally.failedLength) failed, \(tally.errored) errored",
            "status codes: \(classes[2]) 2xx, \(classes[3]) 3xx, \(classes[4]) 4xx, \(classes[5]) 5xx",
            "traffic: \(Units.bytes(Double(tally.bodyBytes))) (\(tally.bodyBytes)) of bodies",
        ]
        if let stats = LatencyStats(nanoseconds: tally.latencies) {
            let columns = ["min", "max", "mean", "sd", "p50", "p99"]
            let values = [Double(stats.min), Double(stats.max), stats.mean, stats.standardDeviation, Double(stats.p50), Double(stats.p99)]
            lines.append(String(repeating: " ", count: 17) + columns.map { pad($0, 10) }.joined())
            lines.append("time for request:" + values.map { pad(Units.duration(nanoseconds: $0), 10) }.joined())
        }
        let cpu = cpuUser + cpuSystem
        let perRequest = tally.done > 0 ? cpu / Double(tally.done) * 1e6 : 0
        lines.append("connections: \(connections) (\(protocolLabel))")
        lines.append("client CPU: \(Units.fixed(cpu, 3))s (user \(Units.fixed(cpuUser, 3))s, sys \(Units.fixed(cpuSystem, 3))s), "
            + "\(Units.fixed(perRequest, 2))us per request")
        for (message, count) in tally.errors.sorted(by: { $0.value > $1.value }).prefix(5) {
            lines.append("error: \(count) x \(message)")
        }
        return lines.joined(separator: "\n")
    }

    /// Right-aligns `text` in `width` columns.
    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
