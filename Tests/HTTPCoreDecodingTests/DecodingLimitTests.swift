import HTTPCore
import HTTPCoreDecoding
import Testing

@Suite struct DecodingLimitTests {
    @Test(arguments: ContentCoding.allCases)
    func sizeCapAllowsExactlyTheCap(_ coding: ContentCoding) throws {
        let payload = samplePayload(lines: 2000)
        let compressed = try compress(payload, coding)
        let exact = DecodingPolicy(maxDecodedBytes: payload.count, maxRatio: nil)
        #expect(try decode(split(compressed, every: 500), contentEncoding: coding.token, policy: exact) == payload)

        let decoder = try BodyDecoder(codings: [coding], policy: DecodingPolicy(maxDecodedBytes: payload.count - 1, maxRatio: nil))
        decoder.feed(compressed)
        decoder.finishInput()
        var handedOut = 0
        let error = #expect(throws: HTTPCoreError.self) {
            while let chunk = try decoder.next() { handedOut += chunk.count }
        }
        #expect(error?.code == .decodedBodyTooLarge)
        #expect(error?.category == .limit)
        // Everything up to the cap was handed out, nothing past it.
        #expect(handedOut == payload.count - 1)
    }

    @Test func ratioCapTripsAtTheCrossingStep() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let compressed = ZlibDeflater.compress(zeros, .gzip)  // ~1000:1
        let policy = DecodingPolicy(maxRatio: 50, ratioAppliesAfter: 0, outputChunkSize: 256)
        let decoder = try BodyDecoder(codings: [.gzip], policy: policy)
        decoder.feed(compressed)
        decoder.finishInput()
        var handedOut = 0
        let error = #expect(throws: HTTPCoreError.self) {
            while let chunk = try decoder.next() {
                handedOut += chunk.count
                // Every chunk handed out kept the ratio.
                #expect(handedOut <= 50 * decoder.encodedBytes)
            }
        }
        #expect(error?.code == .decompressionRatioExceeded)
        #expect(error?.category == .limit)
        // It trips within one step of crossing, long before the body ends.
        #expect(decoder.decodedBytes > 50 * decoder.encodedBytes)
        #expect(decoder.decodedBytes <= 50 * decoder.encodedBytes + 256)
        #expect(handedOut < 64 << 10)

        // An ordinary body stays under the same ratio.
        let text = samplePayload(lines: 3000)
        #expect(try decode([ZlibDeflater.compress(text, .gzip)], contentEncoding: "gzip", policy: policy) == text)
        // Below `ratioAppliesAfter` the ratio is not checked.
        let lenient = DecodingPolicy(maxRatio: 50, ratioAppliesAfter: zeros.count)
        #expect(try decode([compressed], contentEncoding: "gzip", policy: lenient).count == zeros.count)
    }

    @Test func ratioCapCountsWireBytesThroughStackedCodings() throws {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        // gzip of zeros is ~1000:1; zstd over that squeezes the gzip stream again.
        let body = ZstdCompression.compress(ZlibDeflater.compress(zeros, .gzip), level: 19)
        #expect(try decode([body], contentEncoding: "gzip, zstd", policy: DecodingPolicy(maxRatio: nil)) == zeros)
        let error = #expect(throws: HTTPCoreError.self) {
            try decode([body], contentEncoding: "gzip, zstd", policy: DecodingPolicy(maxRatio: 2_000, ratioAppliesAfter: 0))
        }
        #expect(error?.code == .decompressionRatioExceeded)
    }

    @Test func sizeCapAppliesToIdentity() throws {
        let error = #expect(throws: HTTPCoreError.self) {
            try decode([[1, 2, 3], [4, 5]], contentEncoding: "identity", policy: DecodingPolicy(maxDecodedBytes: 4))
        }
        #expect(error?.code == .decodedBodyTooLarge)
    }
}
