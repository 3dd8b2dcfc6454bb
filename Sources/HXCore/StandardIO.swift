#if canImport(Glibc)
import Glibc
#endif

/// Plain file-descriptor I/O: stdout and stderr without Foundation or C's `FILE` globals
/// (which strict concurrency rejects), and whole-file reads for bodies.
public enum StandardIO {
    public static let output: Int32 = 1
    public static let error: Int32 = 2

    /// Writes all of `bytes` to `fd` (no copy); false if the descriptor refused them.
    @discardableResult
    public static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    @discardableResult
    public static func write(_ text: String, to fd: Int32) -> Bool { write(Array(text.utf8), to: fd) }

    /// A line on stderr.
    public static func printError(_ line: String) { write(line + "\n", to: error) }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The terminal's width in columns, if `fd` is a terminal that says.
    public static func terminalWidth(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Everything readable from `fd` until EOF.
    public static func readAll(_ fd: Int32) throws(HXFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw HXFailure(.usage, "cannot read: \(lastError)")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[..<count])
        }
    }

    /// The whole file at `path`; a usage failure naming the file if it cannot be read.
    public static func readFile(_ path: String) throws(HXFailure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HXFailure(.usage, "cannot read \(path.debugDescription): \(lastError)") }
        defer { close(fd) }
        do {
            return try readAll(fd)
        } catch {
            throw HXFailure(.usage, "cannot read \(path.debugDescription): \(lastError)")
        }
    }

    /// The size of the regular file at `path`, nil for anything else (a pipe, a device);
    /// a usage failure if it cannot be opened.
    public static func regularFileSize(_ path: String) throws(HXFailure) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HXFailure(.usage, "cannot read \(path.debugDescription): \(lastError)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw HXFailure(.usage, "cannot read \(path.debugDescription): \(lastError)") }
        if info.st_mode & S_IFMT == S_IFDIR { throw HXFailure(.usage, "\(path.debugDescription) is a directory") }
        return info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : nil
    }

    /// `strerror(errno)`.
    public static var lastError: String { String(cString: strerror(errno)) }
}
