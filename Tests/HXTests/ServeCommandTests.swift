import Foundation
import HTTPCoreTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `hx serve` as a process, fetched by `hx` as a client: the banner with the port chosen,
/// each protocol it announces, the access log, and a SIGTERM or SIGINT that ends it with
/// status 0 after a graceful shutdown.
@Suite(.serialized) struct ServeCommandTests {
    /// A running `hx serve` with its stderr in a file.
    final class Served {
        let process = Process()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("hx-serve-log-\(UUID().uuidString)")
        private(set) var port = 0

        /// Starts it and waits for its banner, polling with `Task.sleep` (never blocking a
        /// cooperative thread).
        static func start(_ arguments: [String]) async throws -> Served {
            let served = try Served(arguments)
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, served.process.isRunning {
                if let match = served.output.firstMatch(of: /^Serving .* on https?:\/\/127\.0\.0\.1:(\d+) \(.*\)$/.anchorsMatchLineEndings()) {
                    served.port = Int(match.output.1)!
                    return served
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw HarnessError("no banner from hx serve: \(served.output)")
        }

        private init(_ arguments: [String]) throws {
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw HarnessError("cannot create \(log.path)") }
            let handle = try FileHandle(forWritingTo: log)
            defer { try? handle.close() }
            process.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
            process.arguments = ["serve"] + arguments
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Sends `signal` and waits for the exit.
        func stop(_ signal: Int32) async throws -> Process.TerminationReason {
            kill(process.processIdentifier, signal)
            let deadline = ContinuousClock.now + .seconds(20)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            guard !process.isRunning else { throw HarnessError("hx serve still runs 20 s after signal \(signal)") }
            return process.terminationReason
        }

        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: log)
        }
    }

    static func folder() throws -> String {
        let path = EndToEndTests.temporaryPath()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data("hello from hx serve\n".utf8).write(to: URL(fileURLWithPath: path + "/hello.txt"))
        return path
    }

    @Test func cleartextWithH2cServesBothProtocolsAndStopsOnSIGTERM() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let served = try await Served.start([folder, "--port", "0", "--h2c"])
        #expect(served.output.contains("Serving \(URL(fileURLWithPath: folder).resolvingSymlinksInPath().path) on http://127.0.0.1:\(served.port) (HTTP/1.1, h2c)"))
        let url = "http://127.0.0.1:\(served.port)/hello.txt"
        let h1 = try await EndToEndTests.hx(["-i", url])
        #expect(h1.status == 0 && h1.output.hasPrefix("HTTP/1.1 200 OK\n") && h1.output.hasSuffix("\n\nhello from hx serve\n"), "\(h1.output)")
        let h2c = try await EndToEndTests.hx(["-i", "--h2c", url])
        #expect(h2c.status == 0 && h2c.output.hasPrefix("HTTP/2 200\n") && h2c.output.contains("\ncontent-length: 20\n"), "\(h2c.output)")
        let echo = try await EndToEndTests.hx(["--h2c", "--data", "ping", "http://127.0.0.1:\(served.port)/echo"])
        #expect(echo.status == 0 && echo.output == "ping", "\(echo.output)")
        let missing = try await EndToEndTests.hx(["--fail", "http://127.0.0.1:\(served.port)/missing"])
        #expect(missing.status == 22)
        let reason = try await served.stop(SIGTERM)
        #expect(reason == .exit && served.process.terminationStatus == 0, "\(reason) \(served.process.terminationStatus)")
        for line in ["\"GET /hello.txt HTTP/1.1\" 200 20", "\"GET /hello.txt HTTP/2\" 200 20", "\"POST /echo HTTP/2\" 200 4", "\"GET /missing HTTP/1.1\" 404"] {
            #expect(served.output.contains(line), "missing \(line) in\n\(served.output)")
        }
    }

    @Test func tlsOffersH2AndHTTP1ByALPNAndStopsOnSIGINT() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pki = try TestPKI.shared()
        let served = try await Served.start([folder, "--port", "0", "--cert", pki.path("good.pem"), "--key", pki.path("good.key"), "-q"])
        #expect(served.output.contains("on https://127.0.0.1:\(served.port) (HTTP/1.1, h2)"), "\(served.output)")
        let url = "https://localhost:\(served.port)/hello.txt"
        let h2 = try await EndToEndTests.hx(["-i", "--cacert", pki.path("ca.pem"), url])
        #expect(h2.status == 0 && h2.output.hasPrefix("HTTP/2 200\n") && h2.output.hasSuffix("\n\nhello from hx serve\n"), "\(h2.output)")
        let h1 = try await EndToEndTests.hx(["-i", "--http1.1", "--cacert", pki.path("ca.pem"), url])
        #expect(h1.status == 0 && h1.output.hasPrefix("HTTP/1.1 200 OK\n"), "\(h1.output)")
        let reason = try await served.stop(SIGINT)
        #expect(reason == .exit && served.process.terminationStatus == 0, "\(reason) \(served.process.terminationStatus)")
        #expect(!served.output.contains("\"GET"), "-q: no access log")
    }

    @Test func usageErrorsExit2() async throws {
        for arguments in [["serve", "--cert", "x.pem"], ["serve", "--h2c", "--cert", "a", "--key", "b"], ["serve", "/no/such/folder"], ["serve", "--port", "70000"]] {
            let result = try await EndToEndTests.hx(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.output)")
        }
    }
}
