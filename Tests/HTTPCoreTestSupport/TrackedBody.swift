import HTTPCore

/// A request body whose chunks a test hands over one by one, and which tells how the
/// connection used it: how often it asked for the next chunk (`pulls`), and whether an
/// iterator over it is still alive (`liveIterators` drops to 0 once the uploader has let
/// the body go, which is how a test sees that a stopped upload released its source).
package final class TrackedBody: AsyncSequence, Sendable {
    package typealias Element = [UInt8]

    fileprivate struct Counts {
        var pulls = 0
        var liveIterators = 0
    }

    private let stream: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation
    private let counts = Locked(Counts())

    package init() { (stream, continuation) = AsyncStream.makeStream() }

    package var pulls: Int { counts.withLock { $0.pulls } }
    package var liveIterators: Int { counts.withLock { $0.liveIterators } }

    package func send(_ bytes: [UInt8]) { continuation.yield(bytes) }
    package func send(_ text: String) { send(Array(text.utf8)) }
    package func finish() { continuation.finish() }

    package func makeAsyncIterator() -> Iterator { Iterator(inner: stream.makeAsyncIterator(), token: Token(counts)) }

    package struct Iterator: AsyncIteratorProtocol {
        var inner: AsyncStream<[UInt8]>.Iterator
        let token: Token

        package mutating func next() async -> [UInt8]? {
            token.counts.withLock { $0.pulls += 1 }
            return await inner.next(isolation: #isolation)
        }
    }

    /// Lives as long as one iterator: counts it in and, when the iterator is gone, out.
    package final class Token: Sendable {
        fileprivate let counts: Locked<Counts>

        fileprivate init(_ counts: Locked<Counts>) {
            self.counts = counts
            counts.withLock { $0.liveIterators += 1 }
        }

        deinit { counts.withLock { $0.liveIterators -= 1 } }
    }
}
