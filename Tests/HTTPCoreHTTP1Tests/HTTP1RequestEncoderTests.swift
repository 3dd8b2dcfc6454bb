import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// Injection attempts are refused before a byte reaches the wire.
@Suite struct HTTP1RequestEncoderTests {
    struct Injection: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "GET"
        var url = "http://example.com/"
        var headers: [(String, String)] = []
        var testDescription: String { name }
    }

    static let injections: [Injection] = [
        Injection(name: "CR in method", method: "GE\rT"),
        Injection(name: "LF in method", method: "GET\n"),
        Injection(name: "NUL in method", method: "G\0ET"),
        Injection(name: "space in method", method: "GET /evil"),
        Injection(name: "CR in path", url: "http://example.com/a\rb"),
        Injection(name: "LF in path", url: "http://example.com/a\nX-Injected: 1"),
        Injection(name: "CRLF in path", url: "http://example.com/a HTTP/1.1\r\nHost: evil\r\n\r\nGET /b"),
        Injection(name: "NUL in path", url: "http://example.com/a\0"),
        Injection(name: "CR in query", url: "http://example.com/a?q=\r"),
        Injection(name: "LF in query", url: "http://example.com/a?q=x\nSet-Cookie: a"),
        Injection(name: "NUL in query", url: "http://example.com/a?q=\0"),
        Injection(name: "space in path", url: "http://example.com/a b"),
        Injection(name: "CR in field name", headers: [("X-A\r", "b")]),
        Injection(name: "LF in field name", headers: [("X-A\nB", "b")]),
        Injection(name: "NUL in field name", headers: [("X\0A", "b")]),
        Injection(name: "colon in field name", headers: [("X-A: c", "b")]),
        Injection(name: "CR in field value", headers: [("X-A", "b\rc")]),
        Injection(name: "LF in field value", headers: [("X-A", "b\nX-Injected: 1")]),
        Injection(name: "CRLF in field value", headers: [("X-A", "b\r\n\r\nGET /smuggled HTTP/1.1")]),
        Injection(name: "NUL in field value", headers: [("X-A", "b\0c")]),
    ]

    @Test(arguments: injections)
    func injectionIsRefusedWithNothingWritten(_ injection: Injection) async throws {
        let h = Harness([])
        let error = await #expect(throws: HTTPCoreError.self) {
            let request = try Request(method: injection.method, url: injection.url, headers: injection.headers)
            _ = try await h.connection.send(request)
        }
        #expect(error?.code == .invalidRequest)
        #expect(error?.category == .protocol(.local))
        #expect(h.stream.written.isEmpty)
        #expect(h.connection.isAvailable)
    }

    /// `HTTPTypes` rewrites CR/LF/NUL in a path set directly into spaces; the encoder then
    /// refuses the space rather than send a split request line.
    @Test(arguments: ["/a\r\nHost: evil", "/a\nb", "/a\0b", "/a b"])
    func pathsRewrittenByHTTPTypesAreStillRefused(path: String) async throws {
        let h = Harness([])
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: path))
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(request) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.isSafeToRetry == true)
        #expect(h.stream.written.isEmpty)
    }

    @Test func authorityWithControlBytesIsRefused() async throws {
        let h = Harness([])
        let request = Request(head: HTTPRequest(method: .get, scheme: nil, authority: "example.com\r\nX: y", path: "/"))
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(request) }
        #expect(error?.code == .invalidRequest)
        #expect(h.stream.written.isEmpty)
    }

    @Test func hostComesFromTheOriginWhenTheRequestHasNoAuthority() async throws {
        let h = Harness([
            .write("GET /x HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"),
            .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        let head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/x", headerFields: [.accept: "*/*"])
        _ = try await h.connection.send(Request(head: head))
        h.expectScriptDone()
    }

    @Test func nonDefaultPortAndIPv6GoIntoHost() async throws {
        let clock = ManualClock()
        let stream = MockScriptedStream([
            .write("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ], clock: clock)
        let connection = HTTP1Connection(stream: stream, origin: Origin(scheme: "http", host: "::1", port: 8443), clock: clock)
        _ = try await connection.send(try Request(url: "http://[::1]:8443/"))
        #expect(stream.failures.isEmpty)
    }

    @Test func userFramingFieldsAreCheckedAgainstTheBody() async throws {
        let h = Harness([])
        let wrongLength = try Request(method: "POST", url: "http://example.com/", headers: [("Content-Length", "10")], body: .string("abc"))
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(wrongLength) }
        #expect(error?.code == .invalidRequest)
        let gzip = try Request(method: "POST", url: "http://example.com/", headers: [("Transfer-Encoding", "gzip")], body: .string("abc"))
        await #expect(throws: HTTPCoreError.self) { try await h.connection.send(gzip) }
        #expect(h.stream.written.isEmpty)
    }

    @Test func emptyBodiesGetContentLengthOnlyWhereTheMethodCarriesOne() async throws {
        let h = Harness([
            .write("DELETE / HTTP/1.1\r\nHost: example.com\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
            .write("POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        _ = try await h.connection.send(try Request(method: "DELETE", url: "http://example.com/"))
        _ = try await h.connection.send(try Request(method: "POST", url: "http://example.com/"))
        h.expectScriptDone()
    }
}
