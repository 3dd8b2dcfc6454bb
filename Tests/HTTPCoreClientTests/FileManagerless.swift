#if canImport(Glibc)
import Glibc
#endif

/// Temporary files for tests, without Foundation.
enum FileManagerless {
    static func temporaryFile(contents: String) -> String {
        var template = Array("/tmp/httpcore-client-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0)
        let bytes = Array(contents.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func remove(_ path: String) { unlink(path) }
}
