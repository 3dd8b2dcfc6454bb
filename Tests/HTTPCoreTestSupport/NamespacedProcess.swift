import Foundation

/// A long-running process inside a `NetworkNamespace` (a fault peer), with its output in a
/// file rather than a pipe (see `HarnessProcess`). Faults need signals a daemon wrapper
/// does not offer: SIGKILL mid-body (the kernel then closes its sockets), SIGSTOP (it stops
/// reading while its sockets stay open).
package final class NamespacedProcess: Sendable {
    private let process: Process
    private let directory: URL

    init(executable: String, arguments: [String]) throws {
        directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-netns-process")
        let logURL = directory.appendingPathComponent("output")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw HarnessError("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    package var isRunning: Bool { process.isRunning }

    /// Everything printed so far, one entry per complete line.
    package var lines: [String] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("output").path) else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast() // an incomplete last line, or "" after the final newline
        return lines
    }

    /// Polls (at most `timeout`) for a printed line starting with `prefix`, counting only
    /// lines after the first `after`; throws with the output if none comes.
    @discardableResult
    package func waitForLine(startingWith prefix: String, after: Int = 0, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.dropFirst(after).first(where: { $0.hasPrefix(prefix) }) { return line }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw HarnessError("no line starting with \(prefix.debugDescription) within \(timeout); output:\n\(lines.joined(separator: "\n"))")
    }

    /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT); SIGKILL also waits for the exit, so the
    /// kernel has closed the process's sockets when this returns. The wait is off the
    /// cooperative threads, which the tests beside this one need for their timers.
    package func signal(_ signal: Int32) async {
        guard process.isRunning else { return }
        _ = kill(process.processIdentifier, signal)
        if signal == SIGKILL { await waitForExit() }
    }

    /// Kills the process (SIGKILL: a child of a Swift concurrency thread inherits SIGTERM
    /// blocked) and removes its output.
    package func stop() async {
        if process.isRunning {
            _ = kill(process.processIdentifier, SIGCONT)
            _ = kill(process.processIdentifier, SIGKILL)
        }
        await waitForExit()
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitForExit() async {
        let process = process
        _ = try? await offCooperativeThreads { process.waitUntilExit() }
    }
}
