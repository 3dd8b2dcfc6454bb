import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// `Response.streamControl` of an HTTP/2 response: PRIORITY_UPDATE and PING through any
/// layer that rewraps the response.
@Suite struct HTTP2StreamControlTests {
    @Test func aRewrappedResponseKeepsItsStreamControl() async throws {
        let h2 = try await HTTP2Fixture.start()
        let response = try await h2.get("/partial")
        // What the pool and the client's decoding do: a new body around the old source.
        let rewrapped = Response(
            head: response.head, body: ResponseBody(source: response.body.takeSource()), version: response.version,
            streamControl: response.streamControl
        )
        #expect(await h2.connection.updatePriority(of: rewrapped, to: Priority(urgency: 2)))
        #expect(await rewrapped.streamControl?.updatePriority(to: Priority(urgency: 5, incremental: true)) == true)
        await waitUntil("the server got both PRIORITY_UPDATEs") { h2.server.priorityUpdatesReceived.count == 2 }
        #expect(h2.server.priorityUpdatesReceived.map(\.value) == ["u=2", "u=5, i"])
        #expect(h2.server.priorityUpdatesReceived.allSatisfy { $0.stream == 1 })
        let rtt = try await #require(rewrapped.streamControl).pingConnection()
        #expect(rtt >= .zero)
        rewrapped.body.close()
        await h2.finish()
    }

    @Test func aResponseFromAnotherConnectionIsNotReprioritisedHere() async throws {
        let h2 = try await HTTP2Fixture.start()
        let other = try await HTTP2Fixture.start()
        let response = try await other.get("/partial")
        #expect(await h2.connection.updatePriority(of: response, to: Priority()) == false)
        #expect(h2.server.priorityUpdatesReceived.isEmpty)
        response.body.close()
        await other.finish()
        await h2.finish()
    }
}
