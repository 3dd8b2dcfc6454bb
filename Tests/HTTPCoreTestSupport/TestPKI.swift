package import Foundation
import HTTPCore

/// The throwaway PKI from `scripts/make-test-pki.sh`, generated once per test process
/// into a fresh temporary directory (removed when the process exits normally).
///
///     let pki = try TestPKI.shared()
///     let server = try await OpenSSLServer.start(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www"])
///     let trusted = try pki.bytes("ca.pem")
///
/// The script's header lists what each certificate is for; `TestPKI.files` names every file.
package struct TestPKI: Sendable {
    /// The directory holding the PEM files.
    package let directory: String

    /// Every file the script writes: `X.pem` and `X.key` for each name in `TestPKI.names`, plus the bundle.
    package static let names = [
        "ca", "intermediate", "good", "chain-leaf", "wronghost", "expired", "notyetvalid",
        "selfsigned", "otherca", "unknownca", "cnonly", "ipsan", "client",
    ]
    package static let files = names.flatMap { ["\($0).pem", "\($0).key"] } + ["chain-leaf-bundle.pem"]

    /// The process-wide PKI. The first call runs the script (about 0.2 s); later calls, from any
    /// thread, return the same directory, or throw the same error if the script failed.
    package static func shared() throws -> TestPKI {
        try generated.get()
    }

    /// The absolute path of one file, e.g. `path("good.pem")`.
    package func path(_ name: String) -> String {
        directory + "/" + name
    }

    /// The contents of one file, e.g. `bytes("ca.pem")`.
    package func bytes(_ name: String) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
        } catch {
            throw HarnessError("TestPKI: cannot read \(path(name)): \(error)")
        }
    }

    /// Runs the script into `directory` (created if needed) and checks that every file came out.
    package static func generate(into directory: String) throws -> TestPKI {
        let script = repositoryRoot.appendingPathComponent("scripts/make-test-pki.sh").path
        guard FileManager.default.fileExists(atPath: script) else {
            throw HarnessError("TestPKI: script not found at \(script)")
        }
        let result: HarnessProcess.Result
        do {
            result = try HarnessProcess.run("/bin/bash", [script, directory], timeout: .seconds(60))
        } catch {
            throw HarnessError("TestPKI: could not run \(script): \(error)")
        }
        guard result.status == 0 else {
            throw HarnessError("TestPKI: \(script) \(directory) exited with status \(result.status):\n\(result.output)")
        }
        let pki = TestPKI(directory: directory)
        let missing = files.filter { !FileManager.default.fileExists(atPath: pki.path($0)) }
        guard missing.isEmpty else {
            throw HarnessError("TestPKI: \(script) succeeded but did not write \(missing.joined(separator: ", ")) in \(directory)")
        }
        return pki
    }

    /// The repository: this file is `<root>/Tests/HTTPCoreTestSupport/TestPKI.swift`.
    package static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `static let` initialization runs once, thread-safely, on first use.
    private static let generated: Result<TestPKI, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("httpcore-test-pki-\(getpid())-\(UUID().uuidString)").path
        sharedDirectory.withLock { $0 = directory }
        atexit {
            if let directory = TestPKI.sharedDirectory.withLock({ $0 }) {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
        return try generate(into: directory)
    }

    /// What `atexit` removes.
    private static let sharedDirectory = Locked<String?>(nil)
}

/// A failure of the test harness itself, with everything needed to see why.
package struct HarnessError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Runs helper commands with their output in temporary files rather than pipes: a file never
/// fills up, and no read waits for an EOF that a pipe end inherited by another child (started
/// concurrently by another test) would hold back.
package enum HarnessProcess {
    package struct Result: Sendable {
        package let status: Int32
        /// stdout and stderr, interleaved as written.
        package let output: String
    }

    /// Runs `executable` with `arguments` to completion, stdin from `input` (or empty), and
    /// returns its exit status and combined output. After `timeout` it is killed and this throws.
    package static func run(_ executable: String, _ arguments: [String], input: String? = nil, timeout: Duration) throws -> Result {
        let directory = try makeTemporaryDirectory(prefix: "httpcore-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("output")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw HarnessError("cannot create \(outputURL.path)")
        }
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        defer { try? outputHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = outputHandle
        process.standardError = outputHandle
        var inputHandle: FileHandle?
        if let input {
            let inputURL = directory.appendingPathComponent("input")
            try Data(input.utf8).write(to: inputURL)
            inputHandle = try FileHandle(forReadingFrom: inputURL)
            process.standardInput = inputHandle
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        defer { try? inputHandle?.close() }
        try process.run()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(5_000)
        }
        let timedOut = process.isRunning
        if timedOut { forceKill(process) }
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        if timedOut {
            throw HarnessError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout); output so far:\n\(output)")
        }
        return Result(status: process.terminationStatus, output: output)
    }

    /// Ends a child with SIGKILL. `Process.terminate()` sends SIGTERM, which a child started
    /// from a libdispatch or Swift concurrency thread inherits as blocked: it would never arrive.
    package static func forceKill(_ process: Process) {
        guard process.isRunning else { return }
        _ = kill(process.processIdentifier, SIGKILL)
    }

    package static func makeTemporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
