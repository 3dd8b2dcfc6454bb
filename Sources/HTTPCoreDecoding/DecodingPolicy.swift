/// Limits on decoding a response body, each enforced at the step that crosses it.
///
/// The decoder works in steps of at most `outputChunkSize` decoded bytes and checks
/// both limits after every step, so memory stays bounded by what the consumer keeps
/// plus a few chunks, however small the compressed input.
public struct DecodingPolicy: Sendable, Hashable {
    /// The most decoded bytes a body may have; one more is `.decodedBodyTooLarge`.
    /// Nil: no cap (the consumer's own limit, like `collect(upTo:)`, still applies).
    public var maxDecodedBytes: Int?
    /// The most decoded bytes per compressed byte consumed; crossing it (once the body
    /// has decoded more than `ratioAppliesAfter` bytes) is `.decompressionRatioExceeded`.
    /// Nil: no ratio cap.
    public var maxRatio: Int?
    /// Decoded bytes below which the ratio is not checked: small, very compressible
    /// bodies (a page of spaces) are legitimate and harmless.
    public var ratioAppliesAfter: Int
    /// The most decoded bytes one step produces (and so one chunk the body hands out).
    public var outputChunkSize: Int

    /// No decoded-size cap; a ratio cap of 1,000 after the first MiB (deflate's own
    /// ceiling is about 1,032:1, reached only by runs of one byte, while brotli and zstd
    /// bombs go far past it); 64 KiB chunks.
    public init(
        maxDecodedBytes: Int? = nil,
        maxRatio: Int? = 1_000,
        ratioAppliesAfter: Int = 1 << 20,
        outputChunkSize: Int = 64 << 10
    ) {
        precondition(outputChunkSize > 0, "outputChunkSize must be positive")
        self.maxDecodedBytes = maxDecodedBytes
        self.maxRatio = maxRatio
        self.ratioAppliesAfter = ratioAppliesAfter
        self.outputChunkSize = outputChunkSize
    }

    public static let `default` = DecodingPolicy()
}
