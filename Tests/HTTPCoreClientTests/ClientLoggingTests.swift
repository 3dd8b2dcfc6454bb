import HTTPCore
import HTTPCoreClient
import HTTPCoreTestSupport
import HTTPTypes
import Logging
import Testing

/// The client's log records through swift-log: levels, one request-id per request, and
/// canary secrets (credentials, cookies, userinfo, query values, bodies) in none of them.
@Suite struct ClientLoggingTests {
    typealias Record = LogRecord

    static func logger(_ records: Locked<[Record]>) -> Logger {
        CollectingLogHandler.logger(records)
    }

    /// `/start` (with the query's canary) -> 302 `/final` with a Set-Cookie canary -> 200
    /// with another; every request's Authorization value recorded.
    final class Origin: Sendable {
        let authorizations = Locked<[String]>([])

        var transport: ClosureTransport {
            ClosureTransport { [authorizations] request in
                if let value = request.head.headerFields[.authorization] { authorizations.withLock { $0.append(value) } }
                let source = request.body.makeChunkSource()
                while try await source.next() != nil {}
                var fields = HTTPFields()
                if request.head.path?.hasPrefix("/start") == true {
                    fields[.location] = "/final"
                    fields[.setCookie] = "sid=canary-set-cookie-1; Path=/"
                    return Response(head: HTTPResponse(status: .found, headerFields: fields), body: ResponseBody(bytes: Array("canary-hop-body".utf8)), version: .http1_1)
                }
                fields[.setCookie] = "other=canary-set-cookie-2"
                return Response(head: HTTPResponse(status: .ok, headerFields: fields), body: ResponseBody(bytes: Array("canary-response-body".utf8)), version: .http1_1)
            }
        }
    }

    @Test func recordsShareARequestIDAreDebugOrTraceAndCarryNoSecrets() async throws {
        let clientRecords = Locked<[Record]>([])
        let ownRecords = Locked<[Record]>([])
        let origin = Origin()
        var configuration = HTTPClient.Configuration()
        configuration.transport = origin.transport
        configuration.logger = Self.logger(clientRecords)
        let client = try HTTPClient(configuration: configuration)

        // 1: userinfo (sent as Basic), a query value, a body, through a redirect; the
        // client's logger.
        let first = try await client.request(
            .post, "http://user-canary:pass-canary@a.test/start?token=canary-query&flag", body: .string("canary-request-body")
        )
        #expect(first.statusCode == 200)
        // 2: Authorization and Cookie of its own, with a logger for this request only.
        let second = try await client.request(
            .get, "http://a.test/start?key=canary-query-2",
            headers: ["Authorization": "Bearer canary-bearer", "Cookie": "mine=canary-cookie"],
            logger: Self.logger(ownRecords)
        )
        #expect(second.statusCode == 200)

        let one = clientRecords.withLock { $0 }, two = ownRecords.withLock { $0 }
        #expect(!one.isEmpty && !two.isEmpty)
        #expect(Set(one.map { $0.metadata["request-id"].map { "\($0)" } }) == ["1"])
        #expect(Set(two.map { $0.metadata["request-id"].map { "\($0)" } }) == ["2"])
        #expect((one + two).allSatisfy { $0.level == .debug || $0.level == .trace })
        #expect(one.map(\.message) == ["request", "sending", "fields", "response", "redirect", "sending", "fields", "response"])
        #expect(one.contains { $0.text.contains("url=http://a.test/start?token&flag") })
        #expect(one.filter { $0.level == .trace }.allSatisfy { $0.text.contains("authorization") })

        let sentAuthorizations = origin.authorizations.withLock { $0 }
        #expect(!sentAuthorizations.isEmpty)
        for record in one + two {
            #expect(!record.text.lowercased().contains("canary"), "\(record.text)")
            for value in sentAuthorizations { #expect(!record.text.contains(value)) }
            for secret in sentAuthorizations.compactMap({ $0.split(separator: " ").last }) {
                #expect(!record.text.contains(secret), "\(record.text)")
            }
        }
    }

    @Test func aFailureIsLoggedByItsCode() async throws {
        let records = Locked<[Record]>([])
        var configuration = HTTPClient.Configuration()
        configuration.transport = ClosureTransport { _ in
            throw HTTPCoreError(.connectRefused, "refused http://a.test/?token=canary", processing: .notProcessed)
        }
        configuration.logger = Self.logger(records)
        let client = try HTTPClient(configuration: configuration)
        await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/", params: ["token": "canary"]) }
        let failed = records.withLock { $0 }.filter { $0.message == "request failed" }
        #expect(failed.count == 1)
        #expect(failed.first?.metadata["error"].map { "\($0)" } == "\(HTTPCoreError.Code.connectRefused)")
        #expect(records.withLock { $0 }.allSatisfy { !$0.text.contains("canary") })
    }

    @Test func theDefaultLoggerIsTheClientsLabel() throws {
        #expect(HTTPClient.Configuration().logger.label == "swift-httpcore.client")
    }
}
