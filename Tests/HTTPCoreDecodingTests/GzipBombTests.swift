import HTTPCore
import HTTPCoreDecoding
import Testing

/// 1 GiB of zeros gzipped (about 1 MiB) must stop at the decoded-size cap, with resident
/// memory growing by at most twice the cap even when the consumer keeps every byte.
@Suite(.serialized) struct GzipBombTests {
    static let decodedSize = 1 << 30
    static let cap = 64 << 20

    /// Compressed as a stream: never more than 1 MiB of zeros in memory.
    static let bomb: [UInt8] = {
        let deflater = ZlibDeflater(.gzip, level: 9)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var output: [UInt8] = []
        for index in 0..<(decodedSize / zeros.count) {
            deflater.compress(zeros, finish: index == decodedSize / zeros.count - 1, into: &output)
        }
        return output
    }()

    @Test func bombStopsAtTheCapWhileStreaming() async throws {
        let bomb = Self.bomb
        #expect(bomb.count < 2 << 20)
        let (error, growth) = try await measure {
            let inner = ScriptedBodySource(split(bomb, every: 16 << 10))
            let body = ResponseBody(source: try DecodingBodySource(inner, codings: [.gzip], policy: DecodingPolicy(maxDecodedBytes: Self.cap, maxRatio: nil)))
            var total = 0
            return await #expect(throws: HTTPCoreError.self) {
                for try await chunk in body { total += chunk.count }
            }.map { ($0, total) }
        }
        #expect(error?.0.code == .decodedBodyTooLarge)
        #expect(error?.1 == Self.cap)
        print("gzip bomb, streaming consumer: peak RSS growth \(growth >> 10) KiB (cap \(Self.cap >> 20) MiB)")
        #expect(growth < 2 * Self.cap)
    }

    @Test func bombStopsAtTheCapWhenCollected() async throws {
        let bomb = Self.bomb
        let (error, growth) = try await measure {
            let inner = ScriptedBodySource(split(bomb, every: 16 << 10))
            let body = ResponseBody(source: try DecodingBodySource(inner, codings: [.gzip], policy: DecodingPolicy(maxDecodedBytes: Self.cap, maxRatio: nil)))
            return await #expect(throws: HTTPCoreError.self) { _ = try await body.collect(upTo: Int.max) }
        }
        #expect(error?.code == .decodedBodyTooLarge)
        #expect(error?.category == .limit)
        print("gzip bomb, collecting consumer: peak RSS growth \(growth >> 20) MiB (cap \(Self.cap >> 20) MiB)")
        #expect(growth < 2 * Self.cap)
    }

    @Test func bombTripsTheDefaultRatioCap() async throws {
        let inner = ScriptedBodySource(split(Self.bomb, every: 16 << 10))
        let body = ResponseBody(source: try DecodingBodySource(inner, codings: [.gzip]))
        var total = 0
        let error = await #expect(throws: HTTPCoreError.self) { for try await chunk in body { total += chunk.count } }
        #expect(error?.code == .decompressionRatioExceeded)
        #expect(total <= DecodingPolicy.default.ratioAppliesAfter)

        let zeros = [UInt8](repeating: 0, count: 32 << 20)
        for (coding, body) in [(ContentCoding.zstd, ZstdCompression.compress(zeros, level: 19)), (.brotli, try brotliCLI(zeros))] {
            let error = #expect(throws: HTTPCoreError.self) { try decode([body], contentEncoding: coding.token) }
            #expect(error?.code == .decompressionRatioExceeded, "\(coding)")
        }
    }

    /// Runs `body` and returns its result with the growth of peak resident memory over
    /// resident memory at the start.
    private func measure<T>(_ body: () async throws -> T) async throws -> (T, Int) {
        try #require(resetPeakResidentMemory(), "cannot reset VmHWM through /proc/self/clear_refs")
        let before = residentMemory()
        let result = try await body()
        return (result, peakResidentMemory() - before)
    }
}
