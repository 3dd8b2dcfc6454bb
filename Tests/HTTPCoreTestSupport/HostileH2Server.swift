import Foundation
import HTTPCore

/// `Interop/hostile/h2_hostile_server.py` on 127.0.0.1: a cleartext HTTP/2 server (prior
/// knowledge) that answers the first request of each connection with one misbehaviour
/// (`scenario`) and later requests with a normal 200 "ok". Needs Debian's python3-h2.
///
/// Its stdout goes to a file, not a pipe (see `HarnessProcess`): "READY <port>", then one
/// line per frame of interest the client sent, such as "RST_STREAM stream=1 code=1" or
/// "GOAWAY code=3 last=0". Stopped with SIGKILL by `stop()`.
package final class HostileH2Server: Sendable {
    package let port: Int
    package let scenario: String
    private let directory: URL
    private let process: Process

    private static let python = "/usr/bin/python3"
    private static let script = TestPKI.repositoryRoot.appendingPathComponent("Interop/hostile/h2_hostile_server.py").path

    package static func start(_ scenario: String) async throws -> HostileH2Server {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw HarnessError("\(python) is missing: run scripts/install-deps.sh")
        }
        let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-hostile-h2")
        let logURL = directory.appendingPathComponent("stdout")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw HarnessError("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        // Port 0: the script binds a free port itself and reports it, so no other test
        // can take it between choosing and binding.
        process.arguments = [script, "0", scenario]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<1000 {
            if let ready = readLines(directory).first(where: { $0.hasPrefix("READY ") }), let port = Int(ready.dropFirst(6)) {
                return HostileH2Server(port: port, scenario: scenario, directory: directory, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let output = readLines(directory).joined(separator: "\n")
        HarnessProcess.forceKill(process)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        throw HarnessError("h2_hostile_server.py \(scenario) did not become ready (is python3-h2 installed? scripts/install-deps.sh):\n\(output)")
    }

    private init(port: Int, scenario: String, directory: URL, process: Process) {
        self.port = port
        self.scenario = scenario
        self.directory = directory
        self.process = process
    }

    /// Everything the script has printed so far, one entry per complete line.
    package var lines: [String] { Self.readLines(directory) }

    private static func readLines(_ directory: URL) -> [String] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("stdout").path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast() // an incomplete last line (or the empty string after the final newline)
        return lines
    }

    /// Waits (polling, at most `timeout`) until the script has printed a line starting with
    /// `prefix`; returns it, or nil if none came.
    package func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(10)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) { return line }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// SIGKILL: a child of a Swift concurrency thread inherits SIGTERM blocked.
    package func stop() {
        HarnessProcess.forceKill(process)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
