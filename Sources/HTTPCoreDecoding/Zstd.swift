import CZstd
import HTTPCore

/// libzstd's streaming decompression for `zstd`: the only file that calls into CZstd.
///
/// RFC 9659 caps the window for HTTP at 8 MiB; larger windows are refused (zstd's own
/// default would let a stream make the decoder allocate 128 MiB).
final class ZstdInflater: DecompressionStage {
    /// 2^23 = 8 MiB, RFC 9659 section 3.
    static let windowLogMax: Int32 = 23

    private let context: OpaquePointer

    init() {
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx failed: out of memory") }
        self.context = context
        let status = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.windowLogMax)
        precondition(ZSTD_isError(status) == 0, "ZSTD_d_windowLogMax refused")
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Frames may follow one another; ZSTD_decompressStream starts the next by itself.
    var continuesAfterEnd: Bool { true }
    func restart() {}

    func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(HTTPCoreError) -> DecompressionStep {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        if ZSTD_isError(result) != 0 {
            throw .corruptEncodedBody("zstd", String(cString: ZSTD_getErrorName(result)))
        }
        // 0: a frame is complete and fully flushed.
        return DecompressionStep(consumed: inBuffer.pos, produced: outBuffer.pos, ended: result == 0)
    }
}

/// zstd compression of a whole body, for tests and tools that need compressed bodies.
package enum ZstdCompression {
    package static func compress(_ input: [UInt8], level: Int32 = 3) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let result = input.withUnsafeBytes { source in
                ZSTD_compress(buffer.baseAddress, bound, source.baseAddress, source.count, level)
            }
            precondition(ZSTD_isError(result) == 0, "ZSTD_compress failed")
            count = result
        }
    }
}
