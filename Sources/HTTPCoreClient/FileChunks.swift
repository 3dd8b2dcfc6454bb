#if canImport(Glibc)
import Glibc
#endif
public import HTTPCore

/// A file's bytes as an async sequence of chunks, for request bodies that stream from disk
/// instead of sitting in memory. Each iteration opens the file afresh, so a body can be
/// sent again (a retry, a redirect that keeps the body).
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    public let path: String
    public let chunkSize: Int

    public init(path: String, chunkSize: Int = 64 << 10) {
        self.path = path
        self.chunkSize = chunkSize
    }

    /// The size of a regular file (nil for a pipe or device, whose size is unknown), or
    /// `.requestBodyUnreadable` if it cannot be opened for reading or is a directory.
    /// Called before a request goes out, so a bad path costs no connection.
    public static func size(of path: String) throws(HTTPCoreError) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(path) }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw HTTPCoreError(.requestBodyUnreadable, "\(path.debugDescription) is a directory", processing: .notProcessed)
        }
        return info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : nil
    }

    static func unreadable(_ path: String) -> HTTPCoreError {
        HTTPCoreError(.requestBodyUnreadable, "cannot read \(path.debugDescription): \(String(cString: strerror(errno)))", processing: .notProcessed)
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
                guard fd >= 0 else { throw FileChunks.unreadable(path) }
            }
            var chunk = [UInt8](repeating: 0, count: chunkSize)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw FileChunks.unreadable(path) }
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
