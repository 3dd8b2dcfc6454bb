import HTTPCore
import HTTPCoreDecoding
import HTTPTypes
import Testing

@Suite struct ContentDecoderTests {
    @Test(arguments: ContentCoding.allCases)
    func roundTripInChunks(_ coding: ContentCoding) throws {
        let payload = samplePayload(lines: 4000)  // ~300 KB: several 64 KiB output steps
        let compressed = try compress(payload, coding)
        #expect(compressed.count < payload.count / 3)
        for size in [compressed.count, 16 << 10, 1000, 7] {
            #expect(try decode(split(compressed, every: size), contentEncoding: coding.token) == payload)
        }
    }

    @Test(arguments: ContentCoding.allCases)
    func everySplitPointAndOneByteReads(_ coding: ContentCoding) throws {
        let payload = samplePayload(lines: 6)
        let compressed = try compress(payload, coding)
        for cut in 0...compressed.count {
            let chunks = [Array(compressed[..<cut]), Array(compressed[cut...])]
            #expect(try decode(chunks, contentEncoding: coding.token) == payload, "split at \(cut)")
        }
        #expect(try decode(split(compressed, every: 1), contentEncoding: coding.token) == payload)
        // One-byte output steps too.
        #expect(try decode(split(compressed, every: 3), contentEncoding: coding.token, policy: DecodingPolicy(outputChunkSize: 1)) == payload)
    }

    @Test(arguments: ContentCoding.allCases)
    func emptyBodyDecodesToNothing(_ coding: ContentCoding) throws {
        #expect(try decode([], contentEncoding: coding.token) == [])
        #expect(try decode([], contentEncoding: coding.token) == [])
        #expect(try decode(split(try compress([], coding), every: 1), contentEncoding: coding.token) == [])
    }

    @Test func deflateAcceptsZlibWrappedAndRaw() throws {
        let payload = samplePayload(lines: 200)
        let zlib = ZlibDeflater.compress(payload, .zlib)
        let raw = ZlibDeflater.compress(payload, .raw)
        #expect(zlib.count == raw.count + 6)  // 2-byte header, 4-byte Adler-32
        #expect(try decode([zlib], contentEncoding: "deflate") == payload)
        #expect(try decode([raw], contentEncoding: "deflate") == payload)
        // The header decision waits for two bytes.
        #expect(try decode(split(zlib, every: 1), contentEncoding: "deflate") == payload)
        #expect(try decode(split(raw, every: 1), contentEncoding: "deflate") == payload)
        // Every compression level's zlib header is recognized.
        for level: Int32 in [0, 1, 6, 9] {
            #expect(try decode([ZlibDeflater.compress(payload, .zlib, level: level)], contentEncoding: "deflate") == payload)
            #expect(try decode([ZlibDeflater.compress(payload, .raw, level: level)], contentEncoding: "deflate") == payload)
        }
    }

    @Test func gzipMembersConcatenate() throws {
        let first = samplePayload(lines: 10)
        let second = incompressible(500)
        let body = ZlibDeflater.compress(first, .gzip) + ZlibDeflater.compress(second, .gzip)
        #expect(try decode(split(body, every: 5), contentEncoding: "gzip") == first + second)
    }

    @Test func zstdFramesConcatenate() throws {
        let first = samplePayload(lines: 10)
        let second = samplePayload(lines: 3)
        let body = ZstdCompression.compress(first) + ZstdCompression.compress(second)
        #expect(try decode(split(body, every: 5), contentEncoding: "zstd") == first + second)
    }

    @Test func stackedCodingsDecodeInReverseOrder() throws {
        let payload = samplePayload(lines: 3000)
        // "gzip, br": gzip applied first, then br.
        let body = try brotliCLI(ZlibDeflater.compress(payload, .gzip))
        for size in [body.count, 1000, 1] {
            #expect(try decode(split(body, every: size), contentEncoding: "gzip, br") == payload)
        }
        let other = ZlibDeflater.compress(ZstdCompression.compress(payload), .zlib)
        #expect(try decode(split(other, every: 333), contentEncoding: "zstd,deflate") == payload)
        // Two field lines combine like one list.
        var fields = HTTPFields()
        fields.append(HTTPField(name: .contentEncoding, value: "zstd"))
        fields.append(HTTPField(name: .contentEncoding, value: "deflate"))
        #expect(try ContentCoding.codings(in: fields) == [.zstd, .deflate])
    }

    @Test func parsingContentEncoding() throws {
        #expect(try ContentCoding.codings(contentEncoding: "") == [])
        #expect(try ContentCoding.codings(contentEncoding: "identity") == [])
        #expect(try ContentCoding.codings(contentEncoding: " GZip ,\tidentity, BR ") == [.gzip, .brotli])
        #expect(try ContentCoding.codings(contentEncoding: "x-gzip") == [.gzip])
        #expect(try ContentCoding.codings(contentEncoding: "gzip,,") == [.gzip])
        #expect(ContentCoding.acceptEncoding == "gzip, deflate, br, zstd")
        // identity passes bytes through.
        #expect(try decode([[1, 2], [3]], contentEncoding: "identity") == [1, 2, 3])
    }

    @Test func threeCodingsAreRefusedBeforeReading() throws {
        for value in ["gzip, gzip, gzip", "br, deflate, zstd", "gzip, identity, br, zstd"] {
            let error = #expect(throws: HTTPCoreError.self) { try ContentCoding.codings(contentEncoding: value) }
            #expect(error?.code == .tooManyContentCodings)
            #expect(error?.category == .limit)
        }
        let inner = ScriptedBodySource([[1]])
        #expect(throws: HTTPCoreError.self) { try DecodingBodySource(inner, contentEncoding: "gzip, gzip, gzip") }
        #expect(inner.reads == 0)
        #expect(throws: HTTPCoreError.self) { try BodyDecoder(codings: [.gzip, .gzip, .gzip]) }
    }

    @Test func unknownCodingIsRefused() throws {
        for value in ["compress", "gzip, sdch", "x-compress", "bzip2"] {
            let error = #expect(throws: HTTPCoreError.self) { try BodyDecoder(contentEncoding: value) }
            #expect(error?.code == .unsupportedContentCoding)
            #expect(error?.category == .protocol(.remote))
        }
    }

    @Test(arguments: ContentCoding.allCases)
    func truncatedStreamIsTyped(_ coding: ContentCoding) throws {
        let payload = samplePayload(lines: 500)
        let compressed = try compress(payload, coding)
        for cut in [1, compressed.count / 2, compressed.count - 1] {
            let error = #expect(throws: HTTPCoreError.self) {
                try decode(split(Array(compressed[..<cut]), every: 100), contentEncoding: coding.token)
            }
            #expect(error?.code == .truncatedEncodedBody, "cut at \(cut) of \(compressed.count)")
            #expect(error?.category == .protocol(.remote))
        }
    }

    @Test(arguments: ContentCoding.allCases)
    func corruptStreamIsTyped(_ coding: ContentCoding) throws {
        let payload = samplePayload(lines: 500)
        var compressed = try compress(payload, coding)
        // Garbage in the middle of the data.
        for index in compressed.count / 2..<compressed.count / 2 + 16 { compressed[index] ^= 0xA5 }
        let error = #expect(throws: HTTPCoreError.self) { try decode([compressed], contentEncoding: coding.token) }
        #expect(error?.code == .corruptEncodedBody)
        #expect(error?.category == .protocol(.remote))
        // Not compressed at all.
        let plain = #expect(throws: HTTPCoreError.self) {
            try decode([Array("hello, this is not compressed at all".utf8)], contentEncoding: coding.token)
        }
        #expect(plain?.code == .corruptEncodedBody || plain?.code == .truncatedEncodedBody)
    }

    @Test func bytesAfterTheEndAreCorrupt() throws {
        let payload = samplePayload(lines: 5)
        for coding in [ContentCoding.deflate, .brotli] {
            let body = try compress(payload, coding) + [1, 2, 3]
            let error = #expect(throws: HTTPCoreError.self) { try decode([body], contentEncoding: coding.token) }
            #expect(error?.code == .corruptEncodedBody)
        }
        let gzipJunk = #expect(throws: HTTPCoreError.self) {
            try decode([ZlibDeflater.compress(payload, .gzip) + [1, 2, 3]], contentEncoding: "gzip")
        }
        #expect(gzipJunk?.code == .corruptEncodedBody || gzipJunk?.code == .truncatedEncodedBody)
    }

    @Test func checksumMismatchIsCorrupt() throws {
        var gzip = ZlibDeflater.compress(samplePayload(lines: 50), .gzip)
        gzip[gzip.count - 6] ^= 1  // CRC-32
        #expect((#expect(throws: HTTPCoreError.self) { try decode([gzip], contentEncoding: "gzip") })?.code == .corruptEncodedBody)
    }
}
