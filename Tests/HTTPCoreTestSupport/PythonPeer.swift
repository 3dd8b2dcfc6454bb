import Foundation

/// A peer script under `Interop/` run with Debian's `/usr/bin/python3` (python3-h2 is
/// installed for it by scripts/install-deps.sh, not for a pyenv or venv python).
///
/// The script binds 127.0.0.1 port 0 itself and prints "READY <port>": choosing the port
/// there means no other test can take it between choosing and binding. Its stdout goes to
/// a file, not a pipe (see `HarnessProcess`), and is readable as `lines`. Stopped with
/// SIGKILL by `stop()`: a child of a Swift concurrency thread inherits SIGTERM blocked.
package final class PythonPeer: Sendable {
    package let port: Int
    private let directory: URL
    private let process: Process

    private static let python = "/usr/bin/python3"

    /// Starts `script` (a path under the repository) with `arguments` after the port.
    package static func start(_ script: String, arguments: [String] = []) async throws -> PythonPeer {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw HarnessError("\(python) is missing: run scripts/install-deps.sh")
        }
        let name = URL(fileURLWithPath: script).lastPathComponent
        let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-\(name)")
        let logURL = directory.appendingPathComponent("stdout")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw HarnessError("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPKI.repositoryRoot.appendingPathComponent(script).path, "0"] + arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<1000 {
            if let ready = readLines(directory).first(where: { $0.hasPrefix("READY ") }), let port = Int(ready.dropFirst(6)) {
                return PythonPeer(port: port, directory: directory, process: process)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let output = readLines(directory).joined(separator: "\n")
        HarnessProcess.forceKill(process)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
        throw HarnessError("\(([name] + arguments).joined(separator: " ")) did not become ready (is python3-h2 installed? run scripts/install-deps.sh):\n\(output)")
    }

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
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

    package func stop() {
        HarnessProcess.forceKill(process)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
