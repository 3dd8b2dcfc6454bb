import Foundation
import HTTPCoreTestSupport

/// The `httpcore-lifecycle-demo` binary (Sources/httpcore-lifecycle-demo) as a child
/// process: started, told SIGTERM, waited for. Its output goes to a file, not a pipe (as
/// in HTTPCoreTestSupport's `HarnessProcess`), read back as lines.
///
/// The child is started from a Swift concurrency thread, so it inherits SIGTERM blocked
/// (PLATFORM-NOTES.md); the demo unblocks it first thing (`SignalMask`), which is what
/// lets `terminate()` be the real signal here, where other peers are stopped with SIGKILL.
final class LifecycleDemoProcess: Sendable {
    /// Beside the test bundle: `swift build --build-tests` builds every executable target.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("httpcore-lifecycle-demo").path

    let port: Int
    private let process: Process
    private let directory: URL

    private init(port: Int, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Starts the demo and returns once it printed the port it listens on.
    static func start() async throws -> LifecycleDemoProcess {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HarnessError("no demo at \(binary): build the tests with `swift build --build-tests`")
        }
        let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-lifecycle-demo")
        let outputURL = directory.appendingPathComponent("output")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw HarnessError("cannot create \(outputURL.path)")
        }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let started = LifecycleDemoProcess(port: 0, process: process, directory: directory)
        for _ in 0..<1000 {
            let prefix = "listening on 127.0.0.1:"
            if let line = started.lines.first(where: { $0.hasPrefix(prefix) }), let port = Int(line.dropFirst(prefix.count)) {
                return LifecycleDemoProcess(port: port, process: process, directory: directory)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let lines = started.lines
        await started.stop()
        throw HarnessError("the demo did not start listening:\n\(lines.joined(separator: "\n"))")
    }

    /// Complete lines the demo has printed so far.
    var lines: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("output"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Sends SIGTERM.
    func terminate() {
        _ = kill(process.processIdentifier, SIGTERM)
    }

    /// The exit status once the demo has exited by itself within `bound`; nil (and the
    /// demo killed) when it had not. Polls with `Task.sleep`; the final reap, which can
    /// block, runs off the cooperative threads.
    func exitStatus(within bound: Duration) async throws -> (reason: Process.TerminationReason, status: Int32)? {
        let deadline = ContinuousClock.now + bound
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let exited = !process.isRunning
        let process = self.process
        return try await offCooperativeThreads {
            if !exited { HarnessProcess.forceKill(process) }
            process.waitUntilExit()
            return exited ? (process.terminationReason, process.terminationStatus) : nil
        }
    }

    /// Kills the demo if it still runs and removes its output.
    func stop() async {
        let process = self.process
        _ = try? await offCooperativeThreads {
            HarnessProcess.forceKill(process)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
