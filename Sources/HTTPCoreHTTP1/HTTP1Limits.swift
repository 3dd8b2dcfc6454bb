/// Size limits for a message head, response or request, each enforced as bytes arrive, so
/// a peer that never ends a line costs at most the limit in memory.
///
/// Lengths exclude the line ending (CRLF or LF). A field line folded with obs-fold counts
/// all its raw lines. The header section counts every field line with its line ending,
/// not the start line and not the empty line that ends the section. Trailer sections get
/// the same limits, counted afresh. A server answers a request over `maxStartLineLength`
/// with 414 and one over a field limit with 431 (`HTTP1ParseError.requestStatus`).
public struct HTTP1Limits: Sendable, Hashable {
    public var maxStartLineLength: Int
    public var maxFieldLineLength: Int
    public var maxHeaderSectionSize: Int
    public var maxFieldCount: Int
    /// A chunk-size line, extensions included.
    public var maxChunkLineLength: Int

    public init(
        maxStartLineLength: Int = 8 * 1024,
        maxFieldLineLength: Int = 64 * 1024,
        maxHeaderSectionSize: Int = 256 * 1024,
        maxFieldCount: Int = 1000,
        maxChunkLineLength: Int = 4 * 1024
    ) {
        self.maxStartLineLength = maxStartLineLength
        self.maxFieldLineLength = maxFieldLineLength
        self.maxHeaderSectionSize = maxHeaderSectionSize
        self.maxFieldCount = maxFieldCount
        self.maxChunkLineLength = maxChunkLineLength
    }
}
