/// One cell of the table.
enum Outcome: Sendable {
    case pass
    case fail(String)
    /// The peer cannot do it; the reason says why.
    case notApplicable(String)
    /// Failed as a recorded client bug says it would (the run still passes).
    case knownFailure(bug: String, detail: String)
    /// A recorded known failure passed: the record is stale (the run fails).
    case unexpectedPass(bug: String)

    /// Whether the run must fail because of this cell.
    var failsRun: Bool {
        switch self {
        case .fail, .unexpectedPass: true
        case .pass, .notApplicable, .knownFailure: false
        }
    }

    /// One word for the progress lines.
    var word: String {
        switch self {
        case .pass: "pass"
        case .fail: "FAIL"
        case .notApplicable: "n/a"
        case .knownFailure: "known-FAIL"
        case .unexpectedPass: "XPASS"
        }
    }

    /// The outcome of one check run on several backends: pass only if every run passed;
    /// otherwise every failing backend's reason.
    static func combine(_ runs: [(backend: String, outcome: Outcome)]) -> Outcome {
        let failures = runs.compactMap { run -> String? in
            if case .fail(let reason) = run.outcome { return "\(run.backend): \(reason)" }
            return nil
        }
        if !failures.isEmpty { return .fail(failures.joined(separator: "; ")) }
        return runs.first?.outcome ?? .pass
    }
}
