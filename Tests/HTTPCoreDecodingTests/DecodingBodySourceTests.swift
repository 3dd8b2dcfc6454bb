import HTTPCore
import HTTPCoreDecoding
import HTTPTypes
import Testing

@Suite struct DecodingBodySourceTests {
    @Test(arguments: ContentCoding.allCases)
    func decodesWhileStreamingAndPassesTrailers(_ coding: ContentCoding) async throws {
        let payload = samplePayload(lines: 3000)
        var trailers = HTTPFields()
        trailers[HTTPField.Name("X-Checksum")!] = "abc"
        let inner = ScriptedBodySource(split(try compress(payload, coding), every: 4096), trailers: trailers)
        let body = ResponseBody(source: try DecodingBodySource(inner, contentEncoding: coding.token))
        var decoded: [UInt8] = []
        for try await chunk in body {
            #expect(chunk.count <= 64 << 10)
            decoded += chunk
        }
        #expect(decoded == payload)
        #expect(body.trailers?[HTTPField.Name("X-Checksum")!] == "abc")
        #expect(!inner.released)
    }

    @Test func readsTheInnerSourceOnlyWhenItNeedsInput() async throws {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let compressed = ZlibDeflater.compress(zeros, .gzip)
        let inner = ScriptedBodySource([compressed])
        let source = try DecodingBodySource(inner, codings: [.gzip])
        guard case .data(let first) = try await source.nextPart() else { Issue.record("no data"); return }
        #expect(first.count == 64 << 10)
        #expect(inner.reads == 1)
        // The whole megabyte came out of the one compressed chunk, a step at a time.
        for _ in 1..<16 { _ = try await source.nextPart() }
        #expect(inner.reads == 1)
    }

    @Test func releaseReleasesTheInnerSource() async throws {
        let inner = ScriptedBodySource([ZlibDeflater.compress(samplePayload(lines: 3000), .gzip)])
        do {
            let body = ResponseBody(source: try DecodingBodySource(inner, codings: [.gzip]))
            var iterator = body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        #expect(inner.released)
    }

    @Test func decodingErrorReleasesTheInnerSourceAndSticks() async throws {
        let compressed = ZlibDeflater.compress(samplePayload(lines: 3000), .gzip)
        let inner = ScriptedBodySource(split(compressed, every: 100))
        let source = try DecodingBodySource(inner, codings: [.gzip], policy: DecodingPolicy(maxDecodedBytes: 1000))
        let error = await #expect(throws: HTTPCoreError.self) {
            while case .data = try await source.nextPart() {}
        }
        #expect(error?.code == .decodedBodyTooLarge)
        #expect(inner.released)
        let again = await #expect(throws: HTTPCoreError.self) { try await source.nextPart() }
        #expect(again?.code == .decodedBodyTooLarge)
    }

    @Test func truncationAfterTheInnerEndDoesNotReleaseIt() async throws {
        let compressed = ZlibDeflater.compress(samplePayload(lines: 100), .gzip)
        let inner = ScriptedBodySource([Array(compressed.dropLast(10))])
        let body = ResponseBody(source: try DecodingBodySource(inner, codings: [.gzip]))
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await body.collect(upTo: 1 << 20) }
        #expect(error?.code == .truncatedEncodedBody)
        #expect(!inner.released)
    }
}
