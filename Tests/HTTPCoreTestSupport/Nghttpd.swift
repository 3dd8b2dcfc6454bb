import Foundation
import HTTPCore

/// nghttpd (Debian's nghttp2-server) on 127.0.0.1, serving a temporary folder with
/// `/file.bin` and echoing POST bodies (`--echo-upload`), with TLS (the test PKI's
/// `good.pem`, ALPN h2) or as h2c by prior knowledge. Stopped by `stop()`.
package final class Nghttpd: Sendable {
    package let port: Int
    package let tls: Bool
    package let file: [UInt8]
    private let directory: URL
    private let process: Process

    /// `fileSize` bytes of `payloadChunk` data at `/file.bin`.
    package static func start(tls: Bool, fileSize: Int = 4 << 20) async throws -> Nghttpd {
        let binary = "/usr/sbin/nghttpd"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw HarnessError("nghttpd is not installed: run scripts/install-deps.sh (apt-get install nghttp2-server)")
        }
        let directory = try HarnessProcess.makeTemporaryDirectory(prefix: "httpcore-nghttpd")
        let file = payloadFile(size: fileSize)
        try Data(file).write(to: directory.appendingPathComponent("file.bin"))
        let port = try freePort()
        var arguments = ["-d", directory.path, "--echo-upload", "-a", "127.0.0.1"]
        if tls {
            let pki = try TestPKI.shared()
            arguments += [String(port), pki.path("good.key"), pki.path("good.pem")]
        } else {
            arguments += ["--no-tls", String(port)]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = Nghttpd(port: port, tls: tls, file: file, directory: directory, process: process)
        for _ in 0..<400 {
            if canConnect(port: port) { return server }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        server.stop()
        throw HarnessError("nghttpd \(arguments.joined(separator: " ")) did not start listening")
    }

    private init(port: Int, tls: Bool, file: [UInt8], directory: URL, process: Process) {
        self.port = port
        self.tls = tls
        self.file = file
        self.directory = directory
        self.process = process
    }

    /// SIGKILL: a child of a Swift concurrency thread inherits SIGTERM blocked.
    package func stop() {
        HarnessProcess.forceKill(process)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
