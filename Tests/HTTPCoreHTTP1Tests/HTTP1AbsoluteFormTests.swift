import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// A connection to a forward proxy: absolute-form targets and the proxy's own fields.
@Suite struct HTTP1AbsoluteFormTests {
    static let proxied = HTTP1Connection.Configuration(
        absoluteFormTarget: true,
        additionalFields: [.proxyAuthorization: "Basic dXNlcjpwYXNz"]
    )

    @Test(arguments: ReadSplit.allCases)
    func targetsAreAbsoluteAndCarryTheProxyFields(split: ReadSplit) async throws {
        let h = Harness([
            .write("GET http://example.com/a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            .write("POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\nContent-Length: 3\r\n\r\nabc"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ], split: split, configuration: Self.proxied)
        let response = try await h.connection.send(h.get("/a?b=c", headers: [("Accept", "*/*")]))
        #expect(try await response.body.string() == "ok")
        _ = try await h.connection.send(try Request(method: "POST", url: "http://example.com/", body: .string("abc")))
        h.expectScriptDone()
    }

    @Test func theConfiguredFieldsReplaceTheRequestsOwn() async throws {
        let h = Harness([
            .write("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nX-Other: 1\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ], configuration: Self.proxied)
        _ = try await h.connection.send(h.get(headers: [("Proxy-Authorization", "Basic bWU6d3Jvbmc="), ("X-Other", "1")]))
        h.expectScriptDone()
    }

    @Test func optionsAsteriskBecomesTheBareOrigin() async throws {
        let h = Harness([
            .write("OPTIONS http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ], configuration: HTTP1Connection.Configuration(absoluteFormTarget: true))
        _ = try await h.connection.send(Request(head: HTTPRequest(method: .options, scheme: "http", authority: "example.com", path: "*")))
        h.expectScriptDone()
    }

    @Test func aNonDefaultPortAndIPv6StayInTheTarget() async throws {
        let clock = ManualClock()
        let stream = MockScriptedStream([
            .write("GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ], clock: clock)
        let connection = HTTP1Connection(
            stream: stream, origin: Origin(scheme: "http", host: "::1", port: 8080), clock: clock,
            configuration: HTTP1Connection.Configuration(absoluteFormTarget: true)
        )
        _ = try await connection.send(try Request(url: "http://[::1]:8080/x"))
        #expect(stream.failures.isEmpty)
    }
}
