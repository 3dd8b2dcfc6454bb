import Foundation
import HTTPCore

/// `openssl s_server` on 127.0.0.1 with caller-supplied arguments, for TLS tests.
///
///     try await withOpenSSLServer(arguments: ["-cert", pki.path("good.pem"), "-key", pki.path("good.key"), "-www"]) { server in
///         // connect to 127.0.0.1:server.port
///     }
///
/// or `let server = try await OpenSSLServer.start(arguments: ...)` and `server.stop()` (also run
/// by `deinit`). Pass the mode and TLS options; the harness adds `-accept 127.0.0.1:PORT` itself.
/// Useful modes: `-www` answers `GET /` with a status page (then closes on HTTP/1.0), `-rev`
/// sends each line back reversed and closes on a line `CLOSE`; with neither, it prints what it
/// receives. Do not pass `-quiet`: it suppresses the `ACCEPT` line that start waits for.
///
/// Things measured with Debian's OpenSSL 3.0 that tests rely on:
/// - TLS 1.1 only: `["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]`. Without the SECLEVEL the
///   server aborts every TLS 1.1 handshake with an internal_error alert ("no suitable signature
///   algorithm"); a default client (SECLEVEL 1) offers TLS 1.1 but then fails with "legacy sigalg
///   disallowed", so only a client that also lowers SECLEVEL completes it.
/// - SNI: `["-cert", wronghost, "-key", ..., "-servername", "good.test", "-cert2", good, "-key2", ...]`
///   presents cert2 only to a ClientHello naming good.test; no SNI or another name gets the default.
/// - A chain: `["-cert", "chain-leaf.pem", "-cert_chain", "intermediate.pem", ...]`. `-cert` with a
///   bundle file sends only its first certificate.
/// - On a bind failure s_server exits with status 0: startup is judged by `ACCEPT`, not status.
/// - `stop()` sends SIGKILL: a child started from a Swift concurrency thread inherits
///   libdispatch's blocked signal mask (SIGTERM, SIGINT, ... blocked), so `Process.terminate()`
///   never reaches s_server, which does not unblock them itself.
package final class OpenSSLServer: @unchecked Sendable {
    /// The listening port on 127.0.0.1.
    package let port: Int
    /// The arguments s_server was started with (after the harness's own).
    package let arguments: [String]
    /// `127.0.0.1:PORT`, for `-connect`.
    package var address: String { "127.0.0.1:\(port)" }

    package static let executable = "/usr/bin/openssl"

    private let process: Process
    private let directory: URL
    private let stdinPipe: Pipe
    private let state = Locked(State())

    private struct State {
        var stopped = false
        var finalOutput = ""
        var finalErrors = ""
    }

    private init(port: Int, arguments: [String], process: Process, directory: URL, stdinPipe: Pipe) {
        self.port = port
        self.arguments = arguments
        self.process = process
        self.directory = directory
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// Starts s_server on a free port and returns once it prints `ACCEPT`. If it exits first
    /// because the port was taken meanwhile, tries another port (`attempts` in all); any other
    /// early exit, or no `ACCEPT` within `timeout`, throws with what it wrote to stderr.
    package static func start(
        arguments: [String],
        timeout: Duration = .seconds(10),
        attempts: Int = 3,
        nextPort: () throws -> Int = freePort
    ) async throws -> OpenSSLServer {
        if let banned = arguments.first(where: { ["-quiet", "-accept", "-port", "-naccept"].contains($0) }) {
            throw HarnessError("OpenSSLServer: do not pass \(banned): the harness chooses the port and waits for ACCEPT, which -quiet hides")
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw HarnessError("OpenSSLServer: \(executable) is missing: apt-get install -y openssl")
        }
        var failures: [String] = []
        for _ in 0..<max(attempts, 1) {
            let port = try nextPort()
            switch try await launch(port: port, arguments: arguments, timeout: timeout) {
            case .started(let server):
                return server
            case .portTaken(let errors):
                failures.append("port \(port) was taken: \(errors)")
            }
        }
        throw HarnessError("OpenSSLServer: no port after \(attempts) attempts:\n\(failures.joined(separator: "\n"))")
    }

    private enum Launch {
        case started(OpenSSLServer)
        case portTaken(String)
    }

    private static func launch(port: Int, arguments: [String], timeout: Duration) async throws -> Launch {
        let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-s_server")
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
              FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        else {
            throw HarnessError("OpenSSLServer: cannot create log files in \(directory.path)")
        }
        // The child keeps its own descriptors; the parent's copies close when these go away.
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let fullArguments = ["s_server", "-accept", "127.0.0.1:\(port)"] + arguments
        process.arguments = fullArguments
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        // A pipe we never write to or close until stop: with /dev/null, s_server's default mode
        // would read EOF and drop each connection right after the handshake.
        let stdinPipe = Pipe()
        process.standardInput = stdinPipe
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw HarnessError("OpenSSLServer: could not run \(executable): \(error)")
        }
        let server = OpenSSLServer(port: port, arguments: arguments, process: process, directory: directory, stdinPipe: stdinPipe)

        let deadline = ContinuousClock.now + timeout
        while true {
            if server.output.split(separator: "\n").contains("ACCEPT") {
                return .started(server)
            }
            if !process.isRunning {
                let errors = server.errors
                server.stop()
                if errors.contains("Address already in use") {
                    return .portTaken(errors)
                }
                throw HarnessError("OpenSSLServer: openssl \(fullArguments.joined(separator: " ")) exited with status \(process.terminationStatus) before ACCEPT; stderr:\n\(errors)")
            }
            if ContinuousClock.now >= deadline {
                let errors = server.errors
                let output = server.output
                server.stop()
                throw HarnessError("OpenSSLServer: openssl \(fullArguments.joined(separator: " ")) printed no ACCEPT within \(timeout); stderr:\n\(errors)\nstdout:\n\(output)")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Everything s_server has written to stdout so far (all of it, after `stop()`).
    package var output: String {
        state.withLock { $0.stopped ? $0.finalOutput : readFile("stdout") }
    }

    /// Everything s_server has written to stderr so far (all of it, after `stop()`).
    package var errors: String {
        state.withLock { $0.stopped ? $0.finalErrors : readFile("stderr") }
    }

    /// Whether s_server is still running.
    package var isRunning: Bool { process.isRunning }

    /// Terminates s_server and waits for it to exit. Idempotent; safe from any thread.
    package func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            HarnessProcess.forceKill(process)
            process.waitUntilExit()
            try? stdinPipe.fileHandleForWriting.close()
            state.finalOutput = readFile("stdout")
            state.finalErrors = readFile("stderr")
            state.stopped = true
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Types `text` into s_server's stdin: in its default mode a line goes to the client,
    /// and single-letter commands act on the connection (`r`: renegotiate, `k`: key update,
    /// `Q`: quit).
    package func type(_ text: String) throws {
        try stdinPipe.fileHandleForWriting.write(contentsOf: Array(text.utf8))
    }

    /// Waits until s_server's stdout contains `text` (e.g. what a client sent in default mode).
    package func waitForOutput(containing text: String, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !output.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw HarnessError("OpenSSLServer on port \(port): no \(text.debugDescription) on stdout within \(timeout); stdout:\n\(output)\nstderr:\n\(errors)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private func readFile(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// Runs `openssl s_client` with `arguments` (give `-connect server.address`) to completion,
    /// with stdin from `input` or empty, and returns its exit status and stdout+stderr. With no
    /// input, s_client reads EOF after the handshake and quits. To read a reply, send input and
    /// add `-ign_eof` so it waits for the server to close (`-www` closes after an HTTP/1.0
    /// response; `-rev` after a line `CLOSE`). Blocks the calling thread; throws after `timeout`.
    package static func runClient(arguments: [String], input: String? = nil, timeout: Duration = .seconds(30)) throws -> (status: Int32, output: String) {
        let result = try HarnessProcess.run(executable, ["s_client"] + arguments, input: input, timeout: timeout)
        return (result.status, result.output)
    }
}

/// Starts s_server with `arguments`, runs `body`, and stops the server however `body` ends.
package func withOpenSSLServer<T>(
    arguments: [String],
    timeout: Duration = .seconds(10),
    _ body: (OpenSSLServer) async throws -> T
) async throws -> T {
    let server = try await OpenSSLServer.start(arguments: arguments, timeout: timeout)
    defer { server.stop() }
    return try await body(server)
}
