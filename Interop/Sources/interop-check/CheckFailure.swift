/// Why a check did not pass, in words for the table's notes.
struct CheckFailure: Error {
    let reason: String

    init(_ reason: String) { self.reason = reason }

    static func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(CheckFailure) {
        if !condition { throw CheckFailure(reason()) }
    }
}
