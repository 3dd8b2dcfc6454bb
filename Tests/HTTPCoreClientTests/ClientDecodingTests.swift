import HTTPCore
import HTTPCoreClient
import HTTPCoreDecoding
import HTTPTypes
import Testing

/// Content decoding through the client: offered, decoded while streaming, limits typed.
@Suite struct ClientDecodingTests {
    /// gzip of "hello, hello, hello" (Python: gzip.compress(b"hello, hello, hello", mtime=0)).
    static let gzipped: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xc8, 0x40, 0xa2, 0x00, 0x9f, 0xa1, 0xca, 0x09, 0x13, 0x00, 0x00, 0x00]

    static func client(encoding: String?, body: [UInt8], _ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> (HTTPClient, RecordingTransport) {
        var fields = HTTPFields()
        if let encoding { fields[.contentEncoding] = encoding }
        let recorder = RecordingTransport(fields: fields, bytes: body)
        return (try recorder.client(configure), recorder)
    }

    @Test func gzipIsOfferedAndDecoded() async throws {
        let (client, recorder) = try Self.client(encoding: "gzip", body: Self.gzipped)
        let response = try await client.get("http://example.com/")
        #expect(response.text() == "hello, hello, hello")
        #expect(recorder.last?.head.headerFields[.acceptEncoding] == "gzip, deflate, br, zstd")
        // Streaming decodes too.
        let streamed = try await client.stream(.get, "http://example.com/") { try await $0.text() }
        #expect(streamed == "hello, hello, hello")
    }

    @Test func decodingOffSendsNothingAndLeavesBodiesAsTheyAre() async throws {
        let (client, recorder) = try Self.client(encoding: "gzip", body: Self.gzipped) { $0.decoding = nil }
        let response = try await client.get("http://example.com/")
        #expect(response.bytes() == Self.gzipped)
        #expect(recorder.last?.head.headerFields[.acceptEncoding] == nil)
    }

    @Test func aHeadResponseIsNotDecoded() async throws {
        let (client, _) = try Self.client(encoding: "gzip", body: [])
        #expect(try await client.head("http://example.com/").bytes().isEmpty)
    }

    @Test(arguments: [
        ("gzip", [0x1f, 0x8b, 0x08, 0x00] as [UInt8], HTTPCoreError.Code.truncatedEncodedBody),
        ("gzip", [0x00, 0x01, 0x02, 0x03, 0x04, 0x05], .corruptEncodedBody),
        ("compress", [0x01], .unsupportedContentCoding),
        ("gzip, gzip, gzip", [0x01], .tooManyContentCodings),
    ])
    func badEncodingsAreTypedErrors(_ encoding: String, _ body: [UInt8], _ code: HTTPCoreError.Code) async throws {
        let (client, _) = try Self.client(encoding: encoding, body: body)
        let error = await #expect(throws: HTTPCoreError.self) { try await client.get("http://example.com/") }
        #expect(error?.code == code)
    }

    @Test func theDecodedSizeCapIsALimitError() async throws {
        let (client, _) = try Self.client(encoding: "gzip", body: Self.gzipped) { $0.decoding = DecodingPolicy(maxDecodedBytes: 10) }
        let error = await #expect(throws: HTTPCoreError.self) { try await client.get("http://example.com/") }
        #expect(error?.code == .decodedBodyTooLarge)
        #expect(error?.category == .limit)
    }
}
