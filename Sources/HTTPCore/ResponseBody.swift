public import HTTPTypes

/// One step of a response body, as a connection hands it up.
public enum ResponseBodyPart: Sendable {
    case data([UInt8])
    /// The body is complete; trailers if the peer sent any.
    case end(HTTPFields?)
}

/// What a connection implements to feed a `ResponseBody`.
///
/// `nextPart` is called only when the consumer asks for more, so a connection reads from
/// the network (HTTP/1.1) or returns flow-control window (HTTP/2) at the reader's pace.
public protocol ResponseBodySource: AnyObject, Sendable {
    func nextPart() async throws -> ResponseBodyPart
    /// The consumer dropped the body before its end. Must not block: a connection closes
    /// (HTTP/1.1) or resets the stream (HTTP/2) and frees its slot.
    func release()
}

/// A response body: an async sequence of byte chunks, single-pass, with backpressure.
///
/// Dropping every copy of the body (and its iterator) before the end releases the
/// connection at once; reading to the end hands it back for reuse.
public struct ResponseBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private let handle: Handle

    public init(source: some ResponseBodySource) { handle = Handle(source) }

    /// A body already in memory (for tests and synthesized responses).
    public init(bytes: [UInt8], trailers: HTTPFields? = nil) {
        handle = Handle(BufferedBodySource(bytes.isEmpty ? [] : [bytes], trailers: trailers))
    }

    public static var empty: ResponseBody { ResponseBody(bytes: []) }

    /// Hands the source to a wrapper (the client's decoder) that takes over its release:
    /// this body can no longer be read, and dropping it no longer releases the connection.
    /// A completion set with `onFinish` goes with the source.
    package func takeSource() -> any ResponseBodySource {
        let onFinish = handle.state.withLock { state in
            state.claimed = true
            state.released = true
            return state.onFinish.take()
        }
        guard let onFinish else { return handle.source }
        return FinishingBodySource(handle.source, onFinish: onFinish)
    }

    /// Calls `done` once, when the body has been read to its end, has failed, or has been
    /// let go (closed, or every copy dropped); at once if that already happened. The pool
    /// hands its connection back this way, on the connection's own body: a wrapping body
    /// would cost the request path three more allocations. A second completion runs after
    /// the first (a pool over a transport that sets one too), never instead of it.
    package func onFinish(_ done: @escaping @Sendable () -> Void) {
        let finished = handle.state.withLock { state in
            guard !state.ended, !state.released, !state.failed else { return true }
            if let first = state.onFinish {
                state.onFinish = {
                    first()
                    done()
                }
            } else {
                state.onFinish = done
            }
            return false
        }
        if finished { done() }
    }

    /// Trailers, once the body has been read to its end; nil before that or when none came.
    public var trailers: HTTPFields? { handle.state.withLock { $0.trailers } }

    /// Whether the body has been read to its end.
    public var isComplete: Bool { handle.state.withLock { $0.ended } }

    public func makeAsyncIterator() -> Iterator { Iterator(handle: handle) }

    /// Lets go of the body now instead of when the last copy is dropped: a body not read
    /// to its end closes its HTTP/1.1 connection or resets its HTTP/2 stream, freeing the
    /// pool slot; a body read to its end was handed back already. Reading after a close
    /// fails with `.connectionClosed` rather than looking like the end.
    public func close() { handle.release() }

    /// Reads the whole body, failing with `.bodyTooLarge` (and releasing the connection)
    /// as soon as it exceeds `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var collected: [UInt8] = []
        for try await chunk in self {
            guard chunk.count <= limit - collected.count else {
                handle.release()
                throw HTTPCoreError(.bodyTooLarge, "body exceeds the \(limit)-byte limit")
            }
            collected.append(contentsOf: chunk)
        }
        return collected
    }

    public struct Iterator: AsyncIteratorProtocol {
        private let handle: Handle
        private var claimed = false

        init(handle: Handle) { self.handle = handle }

        public mutating func next() async throws -> [UInt8]? {
            if !claimed {
                try handle.claim()
                claimed = true
            }
            return try await handle.next()
        }
    }

    /// Owns the source; its deinit is how a dropped body releases the connection.
    final class Handle: Sendable {
        struct State {
            var claimed = false
            var ended = false
            var released = false
            var failed = false
            var trailers: HTTPFields?
            var onFinish: (@Sendable () -> Void)?
        }

        let source: any ResponseBodySource
        let state = Locked(State())

        init(_ source: any ResponseBodySource) { self.source = source }

        deinit { release() }

        func claim() throws(HTTPCoreError) {
            let already = state.withLock { state in
                defer { state.claimed = true }
                return state.claimed
            }
            if already { throw HTTPCoreError(.bodyAlreadyConsumed, "a response body can be iterated once") }
        }

        func next() async throws -> [UInt8]? {
            let (ended, released) = state.withLock { ($0.ended, $0.released) }
            if ended { return nil }
            if released { throw HTTPCoreError(.connectionClosed, "the body was closed before its end") }
            let part: ResponseBodyPart
            do {
                part = try await source.nextPart()
            } catch {
                state.withLock { state in
                    state.failed = true
                    return state.onFinish.take()
                }?()
                throw error
            }
            switch part {
            case .data(let bytes):
                return bytes
            case .end(let trailers):
                state.withLock { state in
                    state.ended = true
                    state.trailers = trailers
                    return state.onFinish.take()
                }?()
                return nil
            }
        }

        func release() {
            let (release, onFinish) = state.withLock { state in
                defer { state.released = true }
                return (!state.ended && !state.released, state.onFinish.take())
            }
            if release { source.release() }
            onFinish?()
        }
    }
}

/// A source over chunks already in memory.
final class BufferedBodySource: ResponseBodySource {
    private let remaining: Locked<ArraySlice<[UInt8]>>
    private let trailers: HTTPFields?

    init(_ chunks: [[UInt8]], trailers: HTTPFields?) {
        remaining = Locked(chunks[...])
        self.trailers = trailers
    }

    func nextPart() async throws -> ResponseBodyPart {
        remaining.withLock { $0.popFirst() }.map { .data($0) } ?? .end(trailers)
    }

    func release() {}
}
