package import Foundation
import HTTPCore

/// A peer daemon from Debian (tinyproxy, microsocks) on 127.0.0.1: started on a free port
/// with its output in a file, ready once the port accepts a connection, stopped with
/// SIGKILL (a child of a Swift concurrency thread inherits SIGTERM blocked). A start that
/// loses its port to another test in the meantime is tried again on another port.
package final class DaemonProcess: Sendable {
    package let port: Int
    /// A temporary directory for the daemon's configuration and logs, removed by `stop()`.
    package let directory: URL
    private let process: Process
    private let name: String

    private init(port: Int, directory: URL, process: Process, name: String) {
        self.port = port
        self.directory = directory
        self.process = process
        self.name = name
    }

    /// Starts `executable` with the arguments `arguments(port, directory)` gives.
    package static func start(
        _ executable: String,
        debianPackage: String,
        attempts: Int = 3,
        arguments: (_ port: Int, _ directory: URL) throws -> [String]
    ) async throws -> DaemonProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError("\(executable) is missing: run scripts/install-deps.sh (apt-get install \(debianPackage))")
        }
        let name = URL(fileURLWithPath: executable).lastPathComponent
        var failures: [String] = []
        for _ in 0..<max(1, attempts) {
            let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-\(name)")
            let outputURL = directory.appendingPathComponent("output")
            guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
                throw HarnessError("cannot create \(outputURL.path)")
            }
            let output = try FileHandle(forWritingTo: outputURL)
            defer { try? output.close() }
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = try arguments(port, directory)
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let daemon = DaemonProcess(port: port, directory: directory, process: process, name: name)
            for _ in 0..<400 {
                if canConnect(port: port) { return daemon }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            failures.append("port \(port): \(daemon.file("output"))")
            daemon.stop()
        }
        throw HarnessError("\(name) did not start listening:\n\(failures.joined(separator: "\n"))")
    }

    /// A file in `directory` (a log), or "" if it is missing.
    package func file(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    package func stop() {
        HarnessProcess.forceKill(process)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
