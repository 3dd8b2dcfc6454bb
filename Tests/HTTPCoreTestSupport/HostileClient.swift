import Foundation

/// One run of `Interop/hostile/h2_hostile_client.py` against a server on 127.0.0.1: the
/// script connects, misbehaves in one way (`scenario`), reports what the server did as one
/// line per observation ("GOAWAY code=11 last=1", "RST_STREAM stream=3 code=7",
/// "STATUS 400", "EOF after=1.02") and exits. Needs Debian's python3-h2 (for `hpack`).
///
/// The script runs in a process of its own, so a client that stops reading leaves the
/// server facing a real kernel socket buffer, and the test process's memory is the
/// server's alone.
package struct HostileClient: Sendable {
    package let scenario: String
    /// Everything the script printed, one entry per line.
    package let lines: [String]

    private static let python = "/usr/bin/python3"

    /// Runs the scenario to its end; killed (and this throws) after `timeout`. Polls with
    /// `Task.sleep`, never blocking a thread the server under test may need.
    package static func run(
        _ scenario: String, port: Int, argument: String? = nil, timeout: Duration = .seconds(30)
    ) async throws -> HostileClient {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw HarnessError("\(python) is missing: run scripts/install-deps.sh")
        }
        let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-hostile-client")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw HarnessError("cannot create \(outputURL.path)")
        }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let script = TestPKI.repositoryRoot.appendingPathComponent("Interop/hostile/h2_hostile_client.py").path
        process.arguments = [script, String(port), scenario] + (argument.map { [$0] } ?? [])
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let timedOut = process.isRunning
        if timedOut { HarnessProcess.forceKill(process) }
        process.waitUntilExit()
        let text = String(decoding: FileManager.default.contents(atPath: outputURL.path) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        guard !timedOut, lines.last == "DONE" else {
            throw HarnessError("h2_hostile_client.py \(scenario) \(timedOut ? "timed out" : "failed"):\n\(text)")
        }
        return HostileClient(scenario: scenario, lines: lines)
    }

    /// The first line starting with `prefix`, if any.
    package func line(_ prefix: String) -> String? { lines.first { $0.hasPrefix(prefix) } }

    /// Every line starting with `prefix`.
    package func lines(_ prefix: String) -> [String] { lines.filter { $0.hasPrefix(prefix) } }

    /// The number after `key=` in `line` ("code" in "GOAWAY code=11 last=1").
    package static func value(_ key: String, in line: String?) -> Double? {
        guard let line else { return nil }
        for word in line.split(separator: " ") where word.hasPrefix(key + "=") {
            return Double(word.dropFirst(key.count + 1))
        }
        return nil
    }
}
