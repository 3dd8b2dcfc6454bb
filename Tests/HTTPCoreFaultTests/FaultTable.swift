import HTTPCore
import HTTPCoreTestSupport
import Testing

/// The fault table (case x backend x protocol: the error's category and code, the time to
/// the error against the timeout that caused it), one row printed as each test ends and the
/// whole table, sorted, once the suite has run, for the closing note.
final class FaultTable: Sendable {
    struct Row: Sendable {
        var fault: String
        var backend: BackendKind
        var wire: Wire
        /// "timeout(read) readTimeout", or what the request did instead of failing.
        var outcome: String
        var measured: Duration
        var timeout: Duration?

        var line: String {
            let time = Self.milliseconds(measured)
            let against = timeout.map { "\(time) vs \(Self.milliseconds($0)) (\(Self.percent(measured / $0)))" } ?? "\(time) (no timeout involved)"
            return "| \(fault) | \(backend.rawValue) | \(wire.rawValue) | \(outcome) | \(against) |"
        }

        private static func milliseconds(_ duration: Duration) -> String {
            "\(Int((duration / .milliseconds(1)).rounded())) ms"
        }

        private static func percent(_ ratio: Double) -> String {
            let delta = Int(((ratio - 1) * 100).rounded())
            return delta >= 0 ? "+\(delta)%" : "\(delta)%"
        }
    }

    static let shared = FaultTable()
    private let rows = Locked<[Row]>([])

    /// Records and prints one row. `error` is what ended the request (nil: it succeeded).
    func record(_ fault: String, _ backend: BackendKind, _ wire: Wire, error: (any Error)?, measured: Duration, timeout: Duration? = nil) {
        let outcome: String
        switch error {
        case nil: outcome = "succeeded"
        case let error as HTTPCoreError: outcome = "\(error.category) \(error.code)"
        case let error?: outcome = "\(type(of: error)) \(error)"
        }
        let row = Row(fault: fault, backend: backend, wire: wire, outcome: outcome, measured: measured, timeout: timeout)
        rows.withLock { $0.append(row) }
        print("FAULT \(row.line)")
    }

    func printTable() {
        let rows = rows.withLock { $0 }
        guard !rows.isEmpty else { return }
        let sorted = rows.sorted { ($0.fault, $0.backend.rawValue, $0.wire.rawValue) < ($1.fault, $1.backend.rawValue, $1.wire.rawValue) }
        print((["FAULT TABLE (client)", "| fault | backend | protocol | category code | time to error |", "|---|---|---|---|---|"] + sorted.map(\.line)).joined(separator: "\n"))
    }
}

/// Prints the fault table once the suite it is attached to has run.
struct PrintsFaultTable: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    @concurrent func provideScope(for test: Test, testCase: Test.Case?, performing function: @concurrent @Sendable () async throws -> Void) async throws {
        defer { FaultTable.shared.printTable() }
        try await function()
    }
}

extension Trait where Self == PrintsFaultTable {
    static var printsFaultTable: Self { PrintsFaultTable() }
}

/// `measured` is within 10% of `timeout` (the bound). Valid only with the machine
/// to itself: `scripts/test.sh` runs these suites alone, after the rest (beside the full
/// suite they came in 11-70% late), and the sanitizer runs skip them.
func expectWithinTenPercent(_ measured: Duration, of timeout: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
    let ratio = measured / timeout
    #expect(ratio >= 0.9 && ratio <= 1.1, "took \(measured) for a timeout of \(timeout)", sourceLocation: sourceLocation)
}
