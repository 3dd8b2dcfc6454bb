import Foundation
import HTTPCoreTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) on the built `hx`: it unwinds as a cancelled task, not as a killed
/// process: exit status 130 by `exit` (not death by signal), a message, the connection
/// closed, what was received kept, and for `hx bench` the report of what was counted.
@Suite(.serialized) struct InterruptTests {
    /// Starts hx with output in a file; `body` gets the process, and this returns its output.
    /// Waits by polling with `Task.sleep`, never blocking a cooperative thread.
    static func interrupting(_ arguments: [String], after body: (Process) async throws -> Void) async throws -> (Process, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("hx-interrupt-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw HarnessError("cannot create \(log.path)") }
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        try await body(process)
        process.interrupt()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard !process.isRunning else { throw HarnessError("hx still runs 20 s after SIGINT") }
        return (process, try String(contentsOf: log, encoding: .utf8))
    }

    @Test func downloadStopsWithStatus130AndKeepsWhatArrived() async throws {
        let server = try StallingServer(announced: 1_000_000, sent: 1_000)
        let file = EndToEndTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (process, output) = try await Self.interrupting(["-o", file, "http://127.0.0.1:\(server.port)/"]) { _ in
            let sentPart = server.sentPart
            guard try await offCooperativeThreads({ sentPart.wait(timeout: .now() + 20) }) == .success else { throw HarnessError("hx never asked") }
            // Until the 1,000 bytes are in the file: hx is inside the body, waiting for more.
            let deadline = ContinuousClock.now + .seconds(10)
            while (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) != 1_000, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(process.terminationReason) \(process.terminationStatus)")
        #expect(output.contains("hx: interrupted"), "\(output)")
        #expect((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) == 1_000)
        let sawClose = server.sawClose
        #expect(try await offCooperativeThreads { sawClose.wait(timeout: .now() + 10) } == .success, "the connection was left open")
    }

    @Test func benchReportsWhatWasCountedBeforeTheInterrupt() async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let arguments = ["bench", "-n", "100000000", "-c", "1", "-m", "10", "--h2c", "http://127.0.0.1:\(nginx.h2cPort!)/"]
        let (process, output) = try await Self.interrupting(arguments) { _ in try await Task.sleep(for: .milliseconds(1500)) }
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(output)")
        // The streams cancelled by Ctrl-C count as neither done nor failed.
        let counts = output.firstMatch(of: /requests: 100000000 total, (\d+) done, (\d+) succeeded, 0 failed, 0 errored/)
        #expect(counts != nil && counts?.output.1 == counts?.output.2, "\(output)")
        #expect(output.contains("hx: interrupted after \(counts?.output.1 ?? "?") of 100000000 requests"), "\(output)")
    }
}

/// An HTTP/1.1 server for one connection: reads a request head, answers with a
/// Content-Length of `announced` but only `sent` bytes of body, then waits for the client
/// to close.
final class StallingServer: Sendable {
    let port: Int
    /// Signalled once the partial response is written.
    let sentPart = DispatchSemaphore(value: 0)
    /// Signalled when the client closes its end.
    let sawClose = DispatchSemaphore(value: 0)
    private let listener: SilentListener

    init(announced: Int, sent: Int) throws {
        listener = try SilentListener()
        port = listener.port
        let fd = listener.fd
        let (sentPart, sawClose) = (sentPart, sawClose)
        // Its own queue: a global one shares its threads with Swift's tasks (see
        // offCooperativeThreads), and this one blocks for the whole test.
        DispatchQueue(label: "stalling-server").async {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var head = [UInt8]()
            var byte: UInt8 = 0
            while !head.ends(with: Array("\r\n\r\n".utf8)), read(client, &byte, 1) == 1 { head.append(byte) }
            let response = Array("HTTP/1.1 200 OK\r\nContent-Length: \(announced)\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: sent)
            guard write(client, response, response.count) == response.count else { return }
            sentPart.signal()
            var buffer = [UInt8](repeating: 0, count: 512)
            while read(client, &buffer, buffer.count) > 0 {}
            sawClose.signal()
        }
    }

    /// shutdown first: it wakes an `accept` still blocked when no client came.
    deinit {
        shutdown(listener.fd, Int32(SHUT_RDWR))
        listener.close()
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
