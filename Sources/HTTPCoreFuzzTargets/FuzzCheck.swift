/// Invariant checks for fuzz targets: a broken one traps with a message saying which, so
/// libFuzzer keeps the input as a crash and the replay test fails on it.
enum FuzzCheck {
    static func that(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
        if !condition() { preconditionFailure("fuzz invariant broken: \(message())", file: file, line: line) }
    }

    static func equal<T: Equatable>(_ a: T, _ b: T, _ what: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
        if a != b { preconditionFailure("fuzz invariant broken: \(what())\n  whole: \(a)\n  split: \(b)", file: file, line: line) }
    }
}
