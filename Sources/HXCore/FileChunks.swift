#if canImport(Glibc)
import Glibc
#endif

/// A file's bytes as an async sequence of chunks, for request bodies that stream from disk
/// instead of sitting in memory. Each iteration opens the file afresh, so the pool can
/// replay the body when it retries a request.
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    public let path: String
    public let chunkSize: Int

    public init(path: String, chunkSize: Int = 64 << 10) {
        self.path = path
        self.chunkSize = chunkSize
    }

    public func makeAsyncIterator() -> Iterator { Iterator(path: path, chunkSize: chunkSize) }

    public final class Iterator: AsyncIteratorProtocol {
        private let path: String
        private let chunkSize: Int
        private var fd: Int32 = -1
        private var finished = false

        init(path: String, chunkSize: Int) {
            self.path = path
            self.chunkSize = chunkSize
        }

        deinit { if fd >= 0 { close(fd) } }

        public func next() async throws -> [UInt8]? {
            if finished { return nil }
            if fd < 0 {
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw HXFailure(.usage, "cannot read \(path.debugDescription): \(StandardIO.lastError)") }
            }
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw HXFailure(.usage, "cannot read \(path.debugDescription): \(StandardIO.lastError)") }
                if count == 0 {
                    finished = true
                    close(fd)
                    fd = -1
                    return nil
                }
                chunk.removeSubrange(count...)
                return chunk
            }
        }
    }
}
