import CBrotliDecoder
import HTTPCore

/// The brotli decoder for `br`: the only file that calls into CBrotliDecoder.
///
/// Brotli's window is at most 16 MiB (large windows are off unless asked for), so the
/// decoder's own memory stays bounded whatever the stream says.
final class BrotliInflater: DecompressionStage {
    private let state: OpaquePointer

    init() {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            fatalError("BrotliDecoderCreateInstance failed: out of memory")
        }
        self.state = state
    }

    deinit { BrotliDecoderDestroyInstance(state) }

    var continuesAfterEnd: Bool { false }
    func restart() {}

    func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(HTTPCoreError) -> DecompressionStep {
        var availableIn = input.count
        var nextIn: UnsafePointer<UInt8>? = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var availableOut = output.count
        var nextOut: UnsafeMutablePointer<UInt8>? = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
        let step = DecompressionStep(
            consumed: input.count - availableIn,
            produced: output.count - availableOut,
            ended: result == BROTLI_DECODER_RESULT_SUCCESS
        )
        if result == BROTLI_DECODER_RESULT_ERROR {
            let code = BrotliDecoderGetErrorCode(state)
            throw .corruptEncodedBody("br", String(cString: BrotliDecoderErrorString(code)))
        }
        return step
    }
}
