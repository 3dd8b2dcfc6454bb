public import HTTPTypes

/// A request body: nothing, bytes in memory, or an async sequence of chunks.
///
/// Streams are pulled as the connection can send (HTTP/1.1 socket writes, HTTP/2 flow
/// control), so a large upload never sits in memory whole.
public struct RequestBody: Sendable {
    package enum Storage: Sendable {
        case empty
        case bytes([UInt8])
        case stream(length: Int?, makeSource: @Sendable () -> ChunkSource)
    }

    package let storage: Storage
    /// Trailer fields sent after the body (HTTP/1.1 chunked trailers, HTTP/2 trailing HEADERS).
    public var trailers: HTTPFields?

    public static let empty = RequestBody(storage: .empty)

    public static func bytes(_ bytes: [UInt8]) -> RequestBody { RequestBody(storage: .bytes(bytes)) }

    public static func string(_ text: String) -> RequestBody { .bytes(Array(text.utf8)) }

    /// A body pulled from `sequence`. With `length`, the body must deliver exactly that
    /// many bytes (HTTP/1.1 sends Content-Length); without it, HTTP/1.1 sends chunked.
    public static func stream<S: AsyncSequence & Sendable>(_ sequence: S, length: Int? = nil) -> RequestBody
    where S.Element == [UInt8] {
        RequestBody(storage: .stream(length: length, makeSource: { ChunkSource(sequence) }))
    }

    init(storage: Storage, trailers: HTTPFields? = nil) {
        self.storage = storage
        self.trailers = trailers
    }

    /// The length when it is known up front.
    public var knownLength: Int? {
        switch storage {
        case .empty: 0
        case .bytes(let bytes): bytes.count
        case .stream(let length, _): length
        }
    }

    public var isEmpty: Bool {
        if case .empty = storage { return true }
        if case .bytes(let bytes) = storage { return bytes.isEmpty }
        return false
    }

    /// A fresh puller over the body's chunks. In-memory bodies yield one chunk.
    public func makeChunkSource() -> ChunkSource {
        switch storage {
        case .empty: ChunkSource([[UInt8]]())
        case .bytes(let bytes): ChunkSource([bytes])
        case .stream(_, let make): make()
        }
    }
}

/// Pulls a request body's chunks one at a time. Owned by the single task that sends.
public final class ChunkSource {
    private let pull: () async throws -> [UInt8]?

    init<S: AsyncSequence>(_ sequence: S) where S.Element == [UInt8] {
        let box = IteratorBox(sequence.makeAsyncIterator())
        pull = { try await box.next() }
    }

    init(_ chunks: [[UInt8]]) {
        var remaining = chunks[...]
        pull = { remaining.popFirst() }
    }

    /// The next chunk, or nil at the end. Empty chunks are skipped.
    public func next() async throws -> [UInt8]? {
        while let chunk = try await pull() {
            if !chunk.isEmpty { return chunk }
        }
        return nil
    }
}

private final class IteratorBox<I: AsyncIteratorProtocol> where I.Element == [UInt8] {
    var iterator: I
    init(_ iterator: I) { self.iterator = iterator }
    func next() async throws -> [UInt8]? { try await iterator.next(isolation: #isolation) }
}
