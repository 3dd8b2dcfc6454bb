public import HTTPCore

/// A streaming decoder for one content coding: feed compressed chunks as they arrive,
/// take decoded chunks of at most a given size, and say when the input has ended.
///
/// Every step is bounded by the output size asked for, so a caller checks its limits
/// between steps and a small compressed chunk can never inflate all at once. Not
/// thread-safe: one owner drives it.
///
///     decoder.feed(chunk)
///     while let decoded = try decoder.next(maxBytes: 65536) { ... }
///     // at the end of the body:
///     decoder.finishInput()
///     while let decoded = try decoder.next(maxBytes: 65536) { ... }  // throws if truncated
public final class ContentDecoder {
    /// The coding, or nil for identity (bytes pass through).
    public let coding: ContentCoding?

    private let stage: any DecompressionStage
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var inputFinished = false
    private var streamEnded = false
    /// The last step filled its output, so the stage may hold more without new input.
    private var outputMayRemain = false
    private var scratch: UnsafeMutableRawBufferPointer

    /// Compressed bytes the decompressor has taken so far (not counting bytes fed but
    /// not yet needed): the denominator of a decompression ratio.
    public private(set) var consumedBytes = 0
    /// Decoded bytes handed out so far.
    public private(set) var producedBytes = 0
    /// The input has ended and every decoded byte was handed out (`next` returned nil
    /// after `finishInput`).
    public private(set) var isFinished = false

    public init(_ coding: ContentCoding?) {
        self.coding = coding
        switch coding {
        case .gzip: stage = ZlibInflater(.gzip)
        case .deflate: stage = ZlibInflater(.deflate)
        case .brotli: stage = BrotliInflater()
        case .zstd: stage = ZstdInflater()
        case nil: stage = IdentityStage()
        }
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 1)
    }

    deinit { scratch.deallocate() }

    private var name: String { coding?.token ?? "identity" }

    /// Compressed bytes fed but not yet consumed.
    public var bufferedInputCount: Int { pending.count - pendingOffset }

    /// Adds compressed bytes; nothing is decoded until `next`.
    public func feed(_ bytes: [UInt8]) {
        precondition(!inputFinished, "ContentDecoder.feed after finishInput")
        if bytes.isEmpty { return }
        if pendingOffset == pending.count {
            pending = bytes
        } else {
            pending.removeSubrange(..<pendingOffset)
            pending.append(contentsOf: bytes)
        }
        pendingOffset = 0
    }

    /// The compressed input has ended (the body is complete).
    public func finishInput() { inputFinished = true }

    /// The next decoded chunk, at most `maxBytes` long; nil when more input is needed or,
    /// after `finishInput`, when the stream is done.
    ///
    /// Throws `.corruptEncodedBody` for invalid data (or bytes after the end of a stream
    /// that cannot be followed by another) and, once the input has finished,
    /// `.truncatedEncodedBody` if it stopped before the stream's end marker. An empty body
    /// is not truncated: it decodes to nothing.
    public func next(maxBytes: Int) throws(HTTPCoreError) -> [UInt8]? {
        precondition(maxBytes > 0, "ContentDecoder.next needs room for at least one byte")
        if isFinished { return nil }
        while true {
            if streamEnded {
                if bufferedInputCount == 0 {
                    if inputFinished { isFinished = true }
                    return nil
                }
                guard stage.continuesAfterEnd else {
                    throw .corruptEncodedBody(name, "\(bufferedInputCount) bytes after the end of the compressed stream")
                }
                try stage.restart()
                streamEnded = false
            }
            if bufferedInputCount == 0 && !outputMayRemain {
                return try endOfInput()
            }
            if scratch.count < maxBytes {
                scratch.deallocate()
                scratch = .allocate(byteCount: maxBytes, alignment: 1)
            }
            let output = UnsafeMutableRawBufferPointer(rebasing: scratch[..<maxBytes])
            let step = try pending.withUnsafeBytes { bytes in
                Result { () throws(HTTPCoreError) in
                    try stage.decompress(UnsafeRawBufferPointer(rebasing: bytes[pendingOffset...]), into: output)
                }
            }.get()
            pendingOffset += step.consumed
            consumedBytes += step.consumed
            if pendingOffset == pending.count {
                pending = []
                pendingOffset = 0
            }
            outputMayRemain = step.produced == maxBytes && !step.ended
            if step.ended { streamEnded = true }
            if step.produced > 0 {
                producedBytes += step.produced
                return Array(UnsafeRawBufferPointer(rebasing: output[..<step.produced]))
            }
            if step.consumed == 0 && !step.ended {
                // The stage needs more than what is buffered.
                outputMayRemain = false
                return try endOfInput()
            }
        }
    }

    private func endOfInput() throws(HTTPCoreError) -> [UInt8]? {
        guard inputFinished else { return nil }
        if stage.hasEndMarker && !streamEnded && (consumedBytes > 0 || bufferedInputCount > 0) {
            throw HTTPCoreError(
                .truncatedEncodedBody,
                "\(name) body ended after \(consumedBytes + bufferedInputCount) bytes, before the end of its compressed stream"
            )
        }
        isFinished = true
        return nil
    }
}
