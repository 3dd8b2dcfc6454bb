import HTTPCore

/// Outcomes by category, with what each plan allows: a request neither cancelled nor
/// faulted must succeed; a cancelled one may succeed (it finished first) or fail as
/// cancelled; each fault has its own categories. Anything else is unexpected and fails
/// the run, with its first few errors kept for the report.
struct SoakTally: Sendable {
    var outcomes: [String: Int] = [:]
    var unexpected: [String: Int] = [:]
    var firstUnexpected: [String] = []
    var plannedCancels: [String: Int] = [:]
    var plannedFaults: [String: Int] = [:]
    var done = 0

    mutating func record(_ plan: SoakPlan, _ result: Result<Void, any Error>) {
        done += 1
        if let cancel = plan.cancel { plannedCancels[cancel.name, default: 0] += 1 }
        if let fault = plan.fault { plannedFaults[fault.rawValue, default: 0] += 1 }
        let key: String
        let allowed: Bool
        switch result {
        case .success:
            key = "ok"
            allowed = plan.fault == nil || plan.fault == .failBeforeHead
        case .failure(let error):
            key = Self.category(of: error)
            allowed = Self.allows(plan, error)
        }
        outcomes[key, default: 0] += 1
        if !allowed {
            let name = "\(key) for \(plan.fault?.rawValue ?? plan.cancel.map { "cancel " + $0.name } ?? "plain \(plan.exchange)")"
            unexpected[name, default: 0] += 1
            if firstUnexpected.count < 10 {
                firstUnexpected.append("\(name): \(error(of: result))")
            }
        }
    }

    private func error(of result: Result<Void, any Error>) -> String {
        if case .failure(let error) = result { return "\(error)" }
        return "succeeded"
    }

    /// "cancelled", or the error's category and code ("protocol(remote) streamReset"), or
    /// "wrong answer" for a response that is not what the route sends.
    static func category(of error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        if let error = error as? HTTPCoreError {
            return error.category == .cancelled ? "cancelled" : "\(error.category) \(error.code)"
        }
        if error is WrongAnswer { return "wrong answer" }
        return "other \(type(of: error))"
    }

    static func allows(_ plan: SoakPlan, _ error: any Error) -> Bool {
        let category = (error as? HTTPCoreError)?.category
        if let fault = plan.fault {
            switch fault {
            case .abortMidBody, .shortBody: return category == .protocol(.remote) || category == .network(.read)
            case .slowHead: return category == .timeout(.read)
            case .failBeforeHead: return false
            }
        }
        guard plan.cancel != nil else { return false }
        return error is CancellationError || category == .cancelled
    }
}

/// A response that is not what its route sends (status, length or content).
struct WrongAnswer: Error, CustomStringConvertible {
    let description: String
}
