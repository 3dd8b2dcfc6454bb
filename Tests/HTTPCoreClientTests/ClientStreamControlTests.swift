import HTTPCore
import HTTPCoreClient
import HTTPTypes
import Testing

/// A streaming response hands on the transport's `streamControl`, decoded or not.
@Suite struct ClientStreamControlTests {
    /// Records what it was asked; answers a ping with a fixed round-trip time.
    final class RecordingControl: ResponseStreamControl {
        let priorities = Locked<[Priority]>([])

        func updatePriority(to priority: Priority) async -> Bool {
            priorities.withLock { $0.append(priority) }
            return true
        }

        func pingConnection() async throws -> Duration { .milliseconds(3) }
    }

    static func client(encoding: String?, body: [UInt8], control: RecordingControl) throws -> HTTPClient {
        var fields = HTTPFields()
        if let encoding { fields[.contentEncoding] = encoding }
        var configuration = HTTPClient.Configuration()
        configuration.transport = ClosureTransport { [fields] _ in
            Response(head: HTTPResponse(status: .ok, headerFields: fields), body: ResponseBody(bytes: body), version: .http2, streamControl: control)
        }
        return try HTTPClient(configuration: configuration)
    }

    @Test(arguments: [("gzip", ClientDecodingTests.gzipped), (nil, Array("hello, hello, hello".utf8))])
    func theStreamControlSurvivesDecoding(_ encoding: String?, _ body: [UInt8]) async throws {
        let control = RecordingControl()
        let client = try Self.client(encoding: encoding, body: body, control: control)
        let (text, rtt) = try await client.stream(.get, "http://example.com/") { response in
            let streamControl = try #require(response.streamControl)
            #expect(await streamControl.updatePriority(to: Priority(urgency: 6)))
            return (try await response.text(), try await streamControl.pingConnection())
        }
        #expect(text == "hello, hello, hello")
        #expect(rtt == .milliseconds(3))
        #expect(control.priorities.withLock { $0 } == [Priority(urgency: 6)])
        await client.shutdown()
    }
}
