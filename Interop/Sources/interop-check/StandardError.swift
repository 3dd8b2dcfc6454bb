#if canImport(Glibc)
import Glibc
#endif

/// Progress and errors go to stderr, so stdout carries only the table.
enum StandardError {
    static func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
