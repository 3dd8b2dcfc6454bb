public import HTTPCore

/// Decodes a whole Content-Encoding list under a `DecodingPolicy`: the chain of
/// `ContentDecoder`s (last-applied coding first) plus the size and ratio limits.
///
/// Same shape as `ContentDecoder`: `feed`, `next`, `finishInput`. Between two stages
/// at most one chunk is buffered, so stacking does not multiply memory. Not thread-safe.
public final class BodyDecoder {
    public let codings: [ContentCoding]
    public let policy: DecodingPolicy
    /// Decoders in decoding order: `stages[0]` takes the bytes as they came off the wire.
    private let stages: [ContentDecoder]

    /// Decoded bytes handed out so far.
    public private(set) var decodedBytes = 0
    /// Compressed bytes (as on the wire) consumed so far.
    public var encodedBytes: Int { stages[0].consumedBytes }

    /// `codings` in the order the sender applied them (as Content-Encoding lists them).
    /// No codings: bytes pass through, with the size cap still enforced.
    public init(codings: [ContentCoding], policy: DecodingPolicy = .default) throws(HTTPCoreError) {
        guard codings.count <= ContentCoding.maximumStacked else {
            throw HTTPCoreError(.tooManyContentCodings, "\(codings.count) stacked codings; at most \(ContentCoding.maximumStacked)")
        }
        self.codings = codings
        self.policy = policy
        stages = codings.isEmpty ? [ContentDecoder(nil)] : codings.reversed().map { ContentDecoder($0) }
    }

    /// A decoder for a Content-Encoding value; see `ContentCoding.codings(contentEncoding:)`.
    public convenience init(contentEncoding: some StringProtocol, policy: DecodingPolicy = .default) throws(HTTPCoreError) {
        try self.init(codings: ContentCoding.codings(contentEncoding: contentEncoding), policy: policy)
    }

    public func feed(_ bytes: [UInt8]) { stages[0].feed(bytes) }

    public func finishInput() { stages[0].finishInput() }

    /// Whether the input ended and every decoded byte was handed out.
    public var isFinished: Bool { stages[stages.count - 1].isFinished }

    /// The next decoded chunk (at most `policy.outputChunkSize` bytes); nil when more
    /// input is needed or, after `finishInput`, at the end.
    ///
    /// Throws `.decodedBodyTooLarge` as soon as the decoded size passes the cap (the
    /// bytes beyond it are never handed out), `.decompressionRatioExceeded` as soon as
    /// the ratio passes its cap, and the decoders' `.corruptEncodedBody` and
    /// `.truncatedEncodedBody`.
    public func next() throws(HTTPCoreError) -> [UInt8]? {
        var allowance = policy.outputChunkSize
        if let cap = policy.maxDecodedBytes {
            // Up to the cap exactly, then one byte: enough to know it was crossed.
            let remaining = cap - decodedBytes
            allowance = remaining > 0 ? min(allowance, remaining) : 1
        }
        guard let chunk = try pull(stages.count - 1, maxBytes: allowance) else { return nil }
        decodedBytes += chunk.count
        if let cap = policy.maxDecodedBytes, decodedBytes > cap {
            throw HTTPCoreError(.decodedBodyTooLarge, "decoded body exceeds the \(cap)-byte limit")
        }
        if let ratio = policy.maxRatio, decodedBytes > policy.ratioAppliesAfter,
            case let (limit, overflow) = ratio.multipliedReportingOverflow(by: encodedBytes), !overflow, decodedBytes > limit
        {
            throw HTTPCoreError(
                .decompressionRatioExceeded,
                "\(encodedBytes) compressed bytes decoded to \(decodedBytes), over the \(ratio):1 limit"
            )
        }
        return chunk
    }

    /// The next chunk out of stage `index`, pulling from the stage before it as needed.
    private func pull(_ index: Int, maxBytes: Int) throws(HTTPCoreError) -> [UInt8]? {
        let stage = stages[index]
        if index == 0 { return try stage.next(maxBytes: maxBytes) }
        while true {
            if let chunk = try stage.next(maxBytes: maxBytes) { return chunk }
            if stage.isFinished { return nil }
            if let input = try pull(index - 1, maxBytes: policy.outputChunkSize) {
                stage.feed(input)
            } else if stages[index - 1].isFinished {
                stage.finishInput()
            } else {
                return nil
            }
        }
    }
}
