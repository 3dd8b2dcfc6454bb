import HTTPCoreClient
import HTTPCoreTestSupport
import Testing

/// The real signal: the demo (a ServiceGroup with `gracefulShutdownSignals: [.sigterm]`
/// around an HTTPServer) as a child process, told SIGTERM in the middle of a slow
/// response. Its body must arrive whole and the process exit 0, soon.
@Suite struct SIGTERMTests {
    /// What the demo's `GET /slow` sends (Sources/httpcore-lifecycle-demo/SlowBody.swift):
    /// 20 chunks of 1 KiB, chunk `i` all bytes `i`, 50 ms apart.
    static let expectedBody: [UInt8] = (0..<20).flatMap { [UInt8](repeating: UInt8($0), count: 1024) }

    @Test func sigtermMidResponseDrainsItAndExitsZero() async throws {
        let demo = try await LifecycleDemoProcess.start()
        try await withTeardown {
            try await withHTTPClient { client in
                let (response, firstBytes) = SlowExchange.send("http://127.0.0.1:\(demo.port)/slow", with: client)
                for await _ in firstBytes { break }
                demo.terminate()
                let (status, body) = try await response.value
                #expect(status == 200)
                #expect(body.count == Self.expectedBody.count)
                #expect(body == Self.expectedBody)
            }
            let exit = try await demo.exitStatus(within: TestTiming.guardTime(.seconds(10)))
            #expect(exit?.reason == .exit, "\(demo.lines)")
            #expect(exit?.status == 0, "\(demo.lines)")
            #expect(demo.lines.last == "drained connections=0 ended=shutdown:1", "\(demo.lines)")
        } teardown: {
            await demo.stop()
        }
    }
}
