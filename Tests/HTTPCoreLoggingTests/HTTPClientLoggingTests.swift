import HTTPCore
import HTTPCoreClient
import HTTPCoreLogging
import HTTPCoreMock
import HTTPCoreTestSupport
import Logging
import Testing

/// `HTTPClientLogging`: a request's events at trace and its summary at debug, all with one
/// request id, and no secret (query values, credentials, cookies, bodies) in any record.
@Suite struct HTTPClientLoggingTests {
    @Test func eventsAtTraceSummaryAtDebugAndNoSecrets() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET /items?token=canary-query HTTP/1.1\r\nHost: a.test\r\nAuthorization: Bearer canary-credential\r\nCookie: sid=canary-cookie\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nSet-Cookie: s=canary-set-cookie\r\nContent-Length: 13\r\n\r\ncanary-body-1"),
            .write("GET /second HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        let records = Locked<[LogRecord]>([])
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.headers = []
        configuration.decoding = nil
        configuration.storesCookies = false
        configuration.observers = [HTTPClientLogging(logger: CollectingLogHandler.logger(records))]
        try await withHTTPClient(configuration) { client in
            let first = try await client.get(
                "http://a.test/items", params: ["token": "canary-query"],
                headers: ["Authorization": "Bearer canary-credential", "Cookie": "sid=canary-cookie"]
            )
            #expect(first.statusCode == 200)
            #expect(try await client.get("http://a.test/second").statusCode == 204)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
        let all = records.withLock { $0 }
        for record in all { #expect(!record.text.contains("canary"), "a secret in \(record.text)") }
        let one = all.filter { $0["request-id"] == "1" }
        let two = all.filter { $0["request-id"] == "2" }
        #expect(one.count + two.count == all.count)
        #expect(one.allSatisfy { $0["target"] == "http://a.test:80/items" && $0["method"] == "GET" })
        let firstEvents = one.filter { $0.level == .trace }.map(\.message)
        #expect(firstEvents.first == "started GET http://a.test:80")
        #expect(firstEvents.contains("response head received: HTTP/1.1 200"))
        #expect(firstEvents.last == "response ended (13 body bytes)")
        let summary = try #require(one.last)
        #expect(summary.level == .debug && summary.message == "request finished")
        #expect(summary["status"] == "200" && summary["response-bytes"] == "13" && summary["attempts"] == "1")
        #expect(one.first { $0.message.hasPrefix("connection #") }?["connection-id"] == summary["connection-id"])
        #expect(two.last?["status"] == "204" && two.map(\.message).contains { $0.hasSuffix("acquired (reused, HTTP/1.1)") })
    }

    /// Above debug the observer records nothing and costs no trace.
    @Test func nothingAboveDebug() async throws {
        var logger = CollectingLogHandler.logger(Locked([]))
        logger.logLevel = .info
        var fields = HTTPFields()
        let observed = ObservedRequest(method: .get, url: "http://a.test/", origin: Origin("http://a.test"), path: "/")
        #expect(HTTPClientLogging(logger: logger).requestStarting(observed, fields: &fields) == nil)
    }
}
