#if canImport(Glibc)
import Glibc
#endif

/// A regular file open for reading, with the size and modification time taken from the
/// same descriptor, so the Content-Length sent is the length of what is read, even if the
/// path is replaced meanwhile. Closed when released.
///
/// Reads happen on the caller's thread (the connection's event loop): from the page cache
/// a 64 KiB `pread` takes microseconds, which is also what nginx does without `aio`, and
/// hopping to another thread and back for each chunk would cost more than it saves.
final class OpenFile: Sendable {
    let descriptor: Int32
    let size: Int
    /// Seconds since the Unix epoch.
    let modified: Int

    /// Nil when the file cannot be opened (gone, unreadable) or is not a regular file.
    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        size = Int(status.st_size)
        modified = Int(status.st_mtim.tv_sec)
    }

    deinit { close(descriptor) }

    /// Up to `maxBytes` from `offset`; empty at the end of the file. `pread` keeps no
    /// shared position, so the descriptor needs no lock.
    func read(at offset: Int, maxBytes: Int) throws(HXFailure) -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: maxBytes) { buffer, count in
            var result: Int
            repeat {
                result = pread(descriptor, buffer.baseAddress, maxBytes, off_t(offset))
            } while result < 0 && errno == EINTR
            if result < 0 { failure = errno }
            count = max(result, 0)
        }
        guard failure == 0 else { throw HXFailure(.failure, "reading a served file: \(String(cString: strerror(failure)))") }
        return bytes
    }
}
