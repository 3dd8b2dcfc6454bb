import HTTPCore

/// One C decompressor as `ContentDecoder` drives it: a bounded step at a time, never
/// more output than the buffer it is given, so limits are checked between steps.
protocol DecompressionStage: AnyObject {
    /// Decodes from `input` into `output` (never empty). Consuming and producing nothing
    /// means the stage needs more input than `input` holds.
    func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(HTTPCoreError) -> DecompressionStep

    /// Whether another compressed stream may follow the end of one (gzip members, zstd
    /// frames); if not, bytes after the end marker are corrupt.
    var continuesAfterEnd: Bool { get }

    /// Prepares for the next concatenated stream after an end marker.
    func restart() throws(HTTPCoreError)

    /// Whether the stream says where it ends, so input ending earlier is a truncation.
    var hasEndMarker: Bool { get }
}

extension DecompressionStage {
    var hasEndMarker: Bool { true }
}

struct DecompressionStep {
    var consumed: Int
    var produced: Int
    /// The compressed stream's end marker was reached in this step.
    var ended: Bool
}

/// `identity`: copies, so a decoder over no codings still enforces the policy's limits.
final class IdentityStage: DecompressionStage {
    func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(HTTPCoreError) -> DecompressionStep {
        let count = min(input.count, output.count)
        if count > 0 { output.baseAddress!.copyMemory(from: input.baseAddress!, byteCount: count) }
        return DecompressionStep(consumed: count, produced: count, ended: false)
    }

    /// An identity body has no end marker: it ends where its input ends.
    var hasEndMarker: Bool { false }
    var continuesAfterEnd: Bool { true }
    func restart() {}
}

extension HTTPCoreError {
    static func corruptEncodedBody(_ coding: String, _ what: String) -> HTTPCoreError {
        HTTPCoreError(.corruptEncodedBody, "\(coding) body: \(what)")
    }
}
