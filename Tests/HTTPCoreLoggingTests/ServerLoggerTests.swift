import HTTPCore
import HTTPCoreLibUV
import HTTPCoreLogging
import HTTPCorePool
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import Logging
import Testing

/// `ServerLogger` as a real server's `onEvent`: connection life and request ends at
/// debug, request starts at trace, with the server's connection and request ids, and no
/// path, query, field value or error text in any record.
@Suite struct ServerLoggerTests {
    struct Refused: Error {}

    @Test func connectionAndRequestsWithTheirIDsAndNoSecrets() async throws {
        let backend = LibUVBackend(loopCount: 1)
        let records = Locked<[LogRecord]>([])
        var configuration = HTTPServer.Configuration(address: .tcp(host: "127.0.0.1", port: 0))
        configuration.onEvent = ServerLogger(logger: CollectingLogHandler.logger(records)).record
        let server = try await HTTPServer.start(backend: backend, configuration: configuration) { request, response in
            if request.head.path?.hasPrefix("/boom") == true { throw Refused() }
            try await response.writeHead(HTTPResponse(status: .ok))
            try await response.write(Array("canary-body".utf8))
            try await response.finish()
        }
        guard case .inet(_, let port) = server.localAddress else { throw HarnessError("not on TCP") }
        try await withConnectionPool(backend: backend) { pool in
            for path in ["/ok?token=canary-query", "/boom"] {
                var request = try Request(url: "http://127.0.0.1:\(port)\(path)")
                request.head.headerFields[.authorization] = "Bearer canary-credential"
                let response = try await pool.send(request)
                _ = try await response.body.collect(upTo: 1 << 20)
            }
        }
        await waitUntil("the connection's end was logged") { records.withLock { $0 }.contains { $0.message == "connection ended" } }
        await server.shutdown()
        await backend.shutdown()

        let all = records.withLock { $0 }
        for record in all { #expect(!record.text.contains("canary"), "\(record.text)") }
        #expect(all.map { "\($0.level) \($0.message)" } == [
            "debug connection opened",
            "trace request started", "debug request ended",
            "trace request started", "debug handler failed", "debug request ended",
            "debug connection ended",
        ])
        #expect(all.allSatisfy { $0["connection-id"] == "1" })
        #expect(all.compactMap { $0["request-id"] } == ["1", "1", "2", "2", "2"])
        #expect(all[2]["status"] == "200" && all[2]["response-bytes"] == "11" && all[2]["method"] == "GET")
        #expect(all[4]["error"] == "Refused")
        #expect(all[5]["status"] == "500")
        #expect(all[6]["end"] == "\(HTTPServer.ConnectionEnd.closed)")
        #expect(all[0]["remote"]?.hasPrefix("127.0.0.1:") == true)
    }
}
