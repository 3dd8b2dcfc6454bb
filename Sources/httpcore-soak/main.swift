// The soak (issue 18): a bounded run of many requests through HTTPClient against this
// package's own HTTPServer, in one process over loopback, for HTTP/1.1 and for HTTP/2
// (cleartext, prior knowledge), with a fifth of the requests cancelled at a random point
// and a trickle of server faults and tiny timeouts. It prints the outcomes by category
// and the memory and descriptor curves, and exits 1 when a request ends in a category its
// plan does not allow, when anything is left holding a pool slot or an HTTP/2 stream,
// when resident memory grows more than the bound after warm-up, or when the descriptors
// are not back to the baseline once both ends are shut down.
//
// scripts/soak.sh builds it in release and runs it (a million requests per protocol by
// default; CI passes a smaller count). Not a product.
#if canImport(Glibc)
import Glibc
#endif

let options: SoakOptions
do {
    options = try SoakOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
    print("httpcore-soak: \(error)\n\(SoakOptions.usage)")
    exit(2)
}

// The descriptors a process keeps once a backend and a timer have run at all (libuv's
// global signal pipe, libdispatch's epoll, eventfd and timerfds) are opened here, before
// the phases take their baselines: what a phase leaves open beyond that is its own.
let startDescriptors = ProcessGauges.openDescriptors()
for wire in options.wires { await SoakPhase(wire: wire, options: options).warmUpProcess() }

var failed = false
var csv = [SoakSample.csvHeader]
print("httpcore-soak: \(options.requests) requests per protocol, \(options.workers) workers, seed \(options.seed), "
    + "\(options.cancelPercent)% cancelled, a fault in about every \(options.faultEvery), backend \(options.backend)")
for wire in options.wires {
    print("\n== \(wire == .http1 ? "HTTP/1.1" : "HTTP/2 (h2c, prior knowledge)")")
    let report = await SoakPhase(wire: wire, options: options).run()
    let tally = report.tally
    let rate = report.seconds > 0 ? Double(tally.done) / report.seconds : 0
    print("requests: \(tally.done) in \(format(report.seconds, 1)) s, \(Int(rate)) requests/s")
    print("outcomes: " + tally.outcomes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    let cancels = tally.plannedCancels.values.reduce(0, +), faults = tally.plannedFaults.values.reduce(0, +)
    print("planned: \(cancels) cancelled (" + tally.plannedCancels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        + "), \(faults) faults (" + tally.plannedFaults.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
    print(SoakSample.header)
    let step = max(1, report.samples.count / 20)
    for (index, sample) in report.samples.enumerated() where index % step == step - 1 || index == report.samples.count - 1 {
        print(sample.row)
    }
    csv += report.samples.map { $0.csv(wire.rawValue) }
    print("resident memory after warm-up (first 10%): +\(format(report.growthMiB, 1)) MiB at peak (limit \(options.maxGrowthMiB) MiB)")
    print("descriptors: \(report.descriptors.baseline) before the phase (\(startDescriptors) at process start), \(report.descriptors.end) after shutdown")
    var failures = report.failures
    if !tally.unexpected.isEmpty {
        failures.append("unexpected outcomes: " + tally.unexpected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        failures += tally.firstUnexpected.map { "  e.g. \($0)" }
    }
    if failures.isEmpty {
        print("checks: passed")
    } else {
        failed = true
        print("checks: FAILED\n" + failures.map { "  \($0)" }.joined(separator: "\n"))
        if !report.connections.isEmpty { print("the pool's connections after the last request:\n" + report.connections) }
    }
}

if let path = options.csvPath {
    if let file = fopen(path, "w") {
        fputs(csv.joined(separator: "\n") + "\n", file)
        fclose(file)
    } else {
        print("httpcore-soak: cannot write \(path)")
        failed = true
    }
}
print(failed ? "\nhttpcore-soak: FAILED" : "\nhttpcore-soak: passed")
exit(failed ? 1 : 0)
