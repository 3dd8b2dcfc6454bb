import HTTPCore
import HTTPCoreClient
import HTTPTypes
import Testing

/// The buffered response's helpers: text by charset, JSON, raiseForStatus.
@Suite struct ClientResponseTests {
    static func client(status: HTTPResponse.Status = .ok, contentType: String? = nil, body: [UInt8]) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        let head = HTTPResponse(status: status, headerFields: fields)
        configuration.transport = ClosureTransport { _ in
            Response(head: head, body: ResponseBody(bytes: body), version: .http2)
        }
        return try HTTPClient(configuration: configuration)
    }

    @Test(arguments: [
        (nil, [0x68, 0xC3, 0xA9], "hé"),
        ("text/plain; charset=utf-8", [0x68, 0xC3, 0xA9], "hé"),
        ("text/plain; charset=\"ISO-8859-1\"", [0x68, 0xE9], "hé"),
        ("text/plain;charset=latin1", [0x68, 0xE9], "hé"),
        ("text/plain; charset=utf-8", [0x68, 0xFF, 0x69], "h\u{FFFD}i"),
        ("text/plain; charset=klingon", [0x68, 0x69], "hi"),
    ] as [(String?, [UInt8], String)])
    func textDecodesByTheCharsetOfContentType(_ contentType: String?, _ bytes: [UInt8], _ text: String) async throws {
        let response = try await Self.client(contentType: contentType, body: bytes).get("http://example.com/")
        #expect(response.text() == text)
        #expect(response.bytes() == bytes)
        #expect(response.version == .http2)
        #expect(response.statusCode == 200 && response.reasonPhrase == "OK")
    }

    struct Item: Decodable, Equatable { var id: Int }

    @Test func jsonDecodesOrFailsTyped() async throws {
        let good = try await Self.client(body: Array(#"{"id": 7}"#.utf8)).get("http://example.com/")
        #expect(try good.json(as: Item.self) == Item(id: 7))
        let bad = try await Self.client(body: Array("<html>".utf8)).get("http://example.com/")
        let error = #expect(throws: HTTPCoreError.self) { try bad.json(as: Item.self) }
        #expect(error?.code == .responseUndecodable)
        #expect(error?.underlying is DecodingError)
    }

    @Test func raiseForStatusThrowsForClientAndServerErrorsWithTheResponse() async throws {
        let ok = try await Self.client(status: .noContent, body: []).get("http://example.com/a")
        #expect(try ok.raiseForStatus().statusCode == 204)
        let redirect = try await Self.client(status: .found, body: []).get("http://example.com/a")
        #expect(throws: Never.self) { try redirect.raiseForStatus() }
        for status in [HTTPResponse.Status.notFound, .serviceUnavailable] {
            let response = try await Self.client(status: status, body: Array("why".utf8)).get("http://example.com/a")
            let error = #expect(throws: HTTPStatusError.self) { try response.raiseForStatus() }
            #expect(error?.response.statusCode == status.code)
            #expect(error?.response.text() == "why")
            #expect(error?.description == "\(status.code < 500 ? "Client" : "Server") error '\(status.code) \(status.reasonPhrase)' for url 'http://example.com/a'")
        }
    }

    @Test func aMissingReasonPhraseIsTheStandardOne() async throws {
        let response = try await Self.client(status: HTTPResponse.Status(code: 404), body: []).get("http://example.com/x")
        #expect(response.reasonPhrase == "Not Found")
        #expect((#expect(throws: HTTPStatusError.self) { try response.raiseForStatus() })?.description == "Client error '404 Not Found' for url 'http://example.com/x'")
        let custom = try await Self.client(status: HTTPResponse.Status(code: 299), body: []).get("http://example.com/x")
        #expect(custom.reasonPhrase == "")
    }

    @Test func streamedLinesSplitAtLFAndDropCR() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.transport = ClosureTransport { _ in
            // Lines cut across chunks, CRLF and LF, no newline at the end.
            Response(head: HTTPResponse(status: .ok), body: ResponseBody(source: ChunkedSource(["one\r\ntw", "o\n", "\nthr", "ee"])), version: .http1_1)
        }
        let client = try HTTPClient(configuration: configuration)
        let lines = try await client.stream(.get, "http://example.com/") { response in
            var lines: [String] = []
            for try await line in response.lines { lines.append(line) }
            return lines
        }
        #expect(lines == ["one", "two", "", "three"])
    }

    @Test func aStreamedLineOverTheLimitFails() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.maxBufferedBodySize = 8
        configuration.transport = ClosureTransport { _ in
            Response(head: HTTPResponse(status: .ok), body: ResponseBody(source: ChunkedSource(["12345", "67890", "\n"])), version: .http1_1)
        }
        let client = try HTTPClient(configuration: configuration)
        let error = await #expect(throws: HTTPCoreError.self) {
            try await client.stream(.get, "http://example.com/") { response in
                for try await _ in response.lines {}
            }
        }
        #expect(error?.code == .bodyTooLarge)
    }
}

/// A body source that hands out fixed chunks, one per call.
final class ChunkedSource: ResponseBodySource {
    private let chunks: Locked<[[UInt8]]>
    init(_ chunks: [String]) { self.chunks = Locked(chunks.map { Array($0.utf8) }) }
    func nextPart() async throws -> ResponseBodyPart {
        chunks.withLock { $0.isEmpty ? .end(nil) : .data($0.removeFirst()) }
    }
    func release() {}
}
