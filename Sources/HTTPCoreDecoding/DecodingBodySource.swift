public import HTTPCore
import HTTPTypes

/// A `ResponseBodySource` that decodes another as it streams, so a client hands out
/// `ResponseBody(source: DecodingBodySource(...))` and the reader sees decoded chunks
/// with the same backpressure: the inner source is read only when the decoder needs input.
///
/// Trailers pass through. A decoding error releases the inner source (the body was not
/// read to its end, so its connection is closed or its stream reset) and is thrown from
/// `nextPart`; so is every later call.
public final class DecodingBodySource: ResponseBodySource, @unchecked Sendable {
    // @unchecked: `decoder`, `trailers`, `innerEnded` and `failure` are touched only in
    // `nextPart`, which ResponseBody calls from its single iterator, one call at a time;
    // `released` (touched by `release()` from any thread) is behind a lock.
    private let inner: any ResponseBodySource
    private let decoder: BodyDecoder
    private var trailers: HTTPFields?
    private var innerEnded = false
    private var failure: HTTPCoreError?
    private let released = Locked(false)

    /// Decodes `inner` through `codings`, listed in the order the sender applied them.
    public init(_ inner: any ResponseBodySource, codings: [ContentCoding], policy: DecodingPolicy = .default) throws(HTTPCoreError) {
        self.inner = inner
        decoder = try BodyDecoder(codings: codings, policy: policy)
    }

    /// Decodes `inner` as a response's Content-Encoding says.
    public convenience init(
        _ inner: any ResponseBodySource,
        contentEncoding: some StringProtocol,
        policy: DecodingPolicy = .default
    ) throws(HTTPCoreError) {
        try self.init(inner, codings: ContentCoding.codings(contentEncoding: contentEncoding), policy: policy)
    }

    /// Decoded and compressed byte counts so far (for traces and metrics).
    public var decodedBytes: Int { decoder.decodedBytes }
    public var encodedBytes: Int { decoder.encodedBytes }

    public func nextPart() async throws -> ResponseBodyPart {
        if let failure { throw failure }
        do {
            while true {
                if let chunk = try decoder.next() { return .data(chunk) }
                if decoder.isFinished { return .end(trailers) }
                switch try await inner.nextPart() {
                case .data(let bytes):
                    decoder.feed(bytes)
                case .end(let trailers):
                    self.trailers = trailers
                    innerEnded = true
                    decoder.finishInput()
                }
            }
        } catch let error as HTTPCoreError where error.code.isDecoding {
            failure = error
            if !innerEnded { release() }
            throw error
        }
    }

    public func release() {
        let first = released.withLock { released in
            defer { released = true }
            return !released
        }
        if first { inner.release() }
    }
}

extension HTTPCoreError.Code {
    fileprivate var isDecoding: Bool {
        self == .decodedBodyTooLarge || self == .decompressionRatioExceeded || self == .corruptEncodedBody
            || self == .truncatedEncodedBody
    }
}
