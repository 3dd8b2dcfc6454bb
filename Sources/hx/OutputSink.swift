import HXCore
#if canImport(Glibc)
import Glibc
#endif

/// Where the response goes: stdout, or a file created (truncated) on the first write or
/// at the end, so a request that fails before its body leaves no file behind.
final class OutputSink {
    private let path: String?
    private var fd: Int32?

    init(path: String?) {
        self.path = path
        fd = path == nil ? StandardIO.output : nil
    }

    deinit { if path != nil, let fd { close(fd) } }

    func write(_ bytes: [UInt8]) throws(HXFailure) {
        let fd = try open()
        guard StandardIO.write(bytes, to: fd) else {
            throw HXFailure(.writeError, "cannot write to \(path ?? "stdout"): \(StandardIO.lastError)")
        }
    }

    /// Creates the file if nothing was written (an empty body still makes a file).
    func finish() throws(HXFailure) {
        _ = try open()
    }

    private func open() throws(HXFailure) -> Int32 {
        if let fd { return fd }
        let opened = Glibc.open(path!, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard opened >= 0 else { throw HXFailure(.writeError, "cannot create \(path!.debugDescription): \(StandardIO.lastError)") }
        fd = opened
        return opened
    }
}
