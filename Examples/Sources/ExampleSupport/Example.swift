#if canImport(Glibc)
import Glibc
#endif

/// Runs an example's body and ends the process: exit 0 when it returns, `error: ...` on
/// stderr and exit 1 when it throws, so a script running the example can trust the status.
public func runExample(_ body: () async throws -> Void) async -> Never {
    do {
        try await body()
        exitExample(0)
    } catch {
        printError("error: \(error)")
        exitExample(1)
    }
}

/// Seconds with three decimals (`%.3f` without Foundation), for elapsed times.
public func seconds(_ duration: Duration) -> String {
    let (whole, attoseconds) = duration.components
    let milliseconds = whole * 1000 + (attoseconds + 500_000_000_000_000) / 1_000_000_000_000_000
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

/// Milliseconds with three decimals: a loopback round trip is well under one.
public func milliseconds(_ duration: Duration) -> String {
    let (whole, attoseconds) = duration.components
    let microseconds = whole * 1_000_000 + attoseconds / 1_000_000_000_000
    let fraction = String(microseconds % 1000)
    return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

/// One line to stderr, written whole (C's `stderr` is a global Swift 6 cannot prove safe).
public func printError(_ line: String) {
    var bytes = Array((line + "\n").utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

func exitWithUsage(_ usage: String) -> Never {
    printError("usage: \(usage)")
    exitExample(2)
}

/// `exit` flushes stdout first, so nothing printed is lost when the output is a pipe.
func exitExample(_ status: Int32) -> Never {
    exit(status)
}
