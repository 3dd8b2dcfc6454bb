import HXCore
import Testing

/// Percentiles, the bench tally and report, the progress bar and the unit formats.
@Suite struct StatsAndFormatTests {
    @Test func nearestRankPercentiles() throws {
        let hundred = try #require(LatencyStats(nanoseconds: (1...100).map(UInt64.init).shuffled()))
        #expect(hundred.p50 == 50 && hundred.p90 == 90 && hundred.p99 == 99)
        #expect(hundred.min == 1 && hundred.max == 100 && hundred.mean == 50.5)
        let one = try #require(LatencyStats(nanoseconds: [7]))
        #expect(one.p50 == 7 && one.p99 == 7 && one.standardDeviation == 0)
        #expect(LatencyStats.percentile(50, sorted: [1, 2]) == 1)
        #expect(LatencyStats.percentile(51, sorted: [1, 2]) == 2)
        #expect(LatencyStats.percentile(99, sorted: Array(1...1000)) == 990)
        #expect(LatencyStats.percentile(100, sorted: [3, 4, 9]) == 9)
        #expect(LatencyStats(nanoseconds: []) == nil)
        let spread = try #require(LatencyStats(nanoseconds: [2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(spread.standardDeviation == 2)
    }

    @Test func tallyChecksStatusAndLength() {
        var a = BenchTally()
        a.record(status: 200, contentLength: 10, bodyBytes: 10, expected: nil, latency: 5)
        a.record(status: 200, contentLength: 10, bodyBytes: 9, expected: nil, latency: 6)     // short body
        a.record(status: 200, contentLength: nil, bodyBytes: 4, expected: 5, latency: 7)      // not the first's length
        a.record(status: 204, contentLength: nil, bodyBytes: 5, expected: 5, latency: 8)
        a.record(status: 503, contentLength: 0, bodyBytes: 0, expected: 5, latency: 9)
        var b = BenchTally()
        b.recordError("timeout(read): x", latency: 10)
        b.record(status: 301, contentLength: nil, bodyBytes: 0, expected: nil, latency: 11)
        a.merge(b)
        #expect(a.succeeded == 2 && a.failedLength == 2 && a.failedStatus == 2 && a.errored == 1 && a.done == 7)
        #expect(a.statusClasses == [0, 0, 4, 1, 0, 1])
        #expect(a.latencies.sorted() == [5, 6, 7, 8, 9, 10, 11])
        #expect(a.errors["timeout(read): x"] == 1)
        #expect(a.bodyBytes == 28)
    }

    @Test func reportReadsLikeH2load() {
        var tally = BenchTally()
        for index in 0..<1000 { tally.record(status: 200, contentLength: 100, bodyBytes: 100, expected: nil, latency: UInt64(index + 1) * 1000) }
        let report = BenchReport(requested: 1000, tally: tally, wall: .milliseconds(500), cpuUser: 0.04, cpuSystem: 0.01, connections: 1, protocolLabel: "HTTP/2")
        let text = report.text
        #expect(report.allSucceeded)
        #expect(text.contains("finished in 500.00ms, 2000.00 req/s, 200.00KB/s (bodies)"))
        #expect(text.contains("requests: 1000 total, 1000 done, 1000 succeeded, 0 failed, 0 errored"))
        #expect(text.contains("status codes: 1000 2xx, 0 3xx, 0 4xx, 0 5xx"))
        #expect(text.contains("time for request:    1.00us    1.00ms"))
        #expect(text.contains("500.00us  990.00us"))  // p50 and p99 columns
        #expect(text.contains("client CPU: 0.050s (user 0.040s, sys 0.010s), 50.00us per request"))
        #expect(!BenchReport(requested: 1001, tally: tally, wall: .seconds(1), cpuUser: 0, cpuSystem: 0, connections: 1, protocolLabel: "").allSucceeded)
    }

    @Test func units() {
        #expect(Units.bytes(512) == "512B")
        #expect(Units.bytes(1500) == "1.50KB")
        #expect(Units.bytes(4_194_304) == "4.19MB")
        #expect(Units.duration(nanoseconds: 850) == "850ns")
        #expect(Units.duration(nanoseconds: 12_345) == "12.35us")
        #expect(Units.duration(.milliseconds(1234)) == "1.23s")
        #expect(Units.fixed(0.005, 2) == "0.01")
        #expect(Units.fixed(-1.5, 1) == "-1.5")
        #expect(Units.fixed(2.999, 2) == "3.00")
    }

    @Test func progressBarFitsTheTerminal() {
        let half = ProgressBar.line(received: 2_097_152, total: 4_194_304, elapsed: .milliseconds(200), width: 60)
        #expect(half.count == 59)
        #expect(half.hasPrefix("[") && half.hasSuffix("]   50%  2.10MB / 4.19MB  10.49MB/s"))
        let bar = half.dropFirst().prefix { $0 != "]" }
        #expect(bar.filter { $0 == "#" }.count == bar.count / 2)
        let unknown = ProgressBar.line(received: 1000, total: nil, elapsed: .seconds(2), width: 80)
        #expect(unknown == "1.00KB  500B/s  2.0s")
        let narrow = ProgressBar.line(received: 10, total: 100, elapsed: .seconds(1), width: 20)
        #expect(narrow.count <= 19)
        let done = ProgressBar.line(received: 200, total: 100, elapsed: .seconds(1), width: 80)
        #expect(done.contains("100%"))
    }
}
