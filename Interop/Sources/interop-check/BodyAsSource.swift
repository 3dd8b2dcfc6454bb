import HTTPCore

/// A response body as a body source again, so a decoder can wrap it from outside the
/// package (the library's own code hands over its source directly), and so the duplex
/// check can read it from one bounded child task after another.
final class BodyAsSource: ResponseBodySource, @unchecked Sendable {
    // @unchecked: `iterator` is touched only by `nextPart`, which its callers (a
    // DecodingBodySource, or the duplex check's waits, each over before the next starts)
    // call serially, one await at a time, never twice at once; `release` touches only
    // `body`, whose own state is locked.
    private let body: ResponseBody
    private var iterator: ResponseBody.Iterator

    init(_ body: ResponseBody) {
        self.body = body
        iterator = body.makeAsyncIterator()
    }

    func nextPart() async throws -> ResponseBodyPart {
        if let chunk = try await iterator.next() { return .data(chunk) }
        return .end(body.trailers)
    }

    func release() { body.close() }
}
