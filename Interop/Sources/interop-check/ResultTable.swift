/// The markdown table of peer x check, with numbered notes so that a reason shared by
/// many cells (a peer that speaks only HTTP/2) is written once.
struct ResultTable {
    struct Row {
        var peer: String
        var wire: WireProtocol
        var outcomes: [Outcome]
    }

    var columns: [String]
    var rows: [Row] = []

    var cells: [Outcome] { rows.flatMap(\.outcomes) }

    func markdown() -> String {
        var notes: [String] = []
        func note(_ text: String) -> Int {
            if let index = notes.firstIndex(of: text) { return index + 1 }
            notes.append(text)
            return notes.count
        }
        var lines = [
            "| peer | protocol | " + columns.joined(separator: " | ") + " |",
            "|---|---|" + String(repeating: "---|", count: columns.count),
        ]
        for row in rows {
            let cells = row.outcomes.map { outcome -> String in
                switch outcome {
                case .pass: "pass"
                case .fail(let reason): "**FAIL** [\(note(reason))]"
                case .notApplicable(let reason): "n/a [\(note(reason))]"
                case .knownFailure(let bug, let detail): "known FAIL [\(note("\(bug) (now: \(detail))"))]"
                case .unexpectedPass(let bug): "**XPASS** [\(note("passes, but recorded as a known failure: \(bug)"))]"
                }
            }
            lines.append("| \(row.peer) | \(row.wire.label) | " + cells.joined(separator: " | ") + " |")
        }
        if !notes.isEmpty {
            lines.append("")
            for (index, text) in notes.enumerated() { lines.append("\(index + 1). \(text)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The closing count line: "interop: N passed, N failed, N skipped".
    func summary() -> String {
        let passed = cells.filter { if case .pass = $0 { true } else { false } }.count
        let failed = cells.filter(\.failsRun).count
        return "interop: \(passed) passed, \(failed) failed, \(cells.count - passed - failed) skipped"
    }
}
