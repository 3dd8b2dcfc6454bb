#if canImport(Glibc)
import Glibc
#endif

/// The folder `hx serve` serves, and the one place a request target becomes a file path.
///
/// Nothing outside the folder is reachable, and every refusal is a plain `.notFound` (a
/// 404, never a 403) so that a client cannot probe what exists outside: a `..` segment
/// is refused as sent, decoded or not (`%2e%2e`), rather than resolved, since a client
/// that follows RFC 3986 removes dot segments before sending; an encoded `/` or NUL
/// inside a segment is refused; and the final path is resolved with `realpath` and must
/// still lie inside the folder, so a symlink leading out is refused too (one inside is
/// followed).
public struct DocumentRoot: Sendable {
    /// The folder's canonical path (symlinks resolved, no trailing slash).
    public let path: String

    public enum Resolution: Sendable, Equatable {
        case file(String)
        case directory(String)
        /// A folder asked for without its trailing slash: relative links in it need one.
        case redirect(location: String)
        case notFound
    }

    public init(_ directory: String) throws(HXFailure) {
        guard let real = Self.realPath(directory), Self.kind(of: real) == S_IFDIR else {
            throw HXFailure(.usage, "not a folder: \(directory)")
        }
        path = real
    }

    /// Where a request target (path, maybe a query) leads under the folder.
    public func resolve(_ target: String) -> Resolution {
        let rawPath = target.prefix { $0 != "?" && $0 != "#" }
        guard rawPath.hasPrefix("/") else { return .notFound }
        var segments: [String] = []
        for raw in rawPath.split(separator: "/") {
            guard let segment = Self.percentDecoded(raw), !segment.contains("/"), !segment.contains("\0"), segment != ".." else {
                return .notFound
            }
            if segment != "." { segments.append(segment) }
        }
        let joined = segments.isEmpty ? path : path + "/" + segments.joined(separator: "/")
        guard let real = Self.realPath(joined), real == path || real.hasPrefix(path == "/" ? "/" : path + "/") else {
            return .notFound
        }
        switch Self.kind(of: real) {
        case S_IFREG: return .file(real)
        case S_IFDIR: return rawPath.hasSuffix("/") ? .directory(real) : .redirect(location: rawPath + "/")
        default: return .notFound // devices, FIFOs and sockets are not files to send
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `S_IFREG`, `S_IFDIR`, ... for what `path` names, following symlinks; nil when absent.
    static func kind(of path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & S_IFMT
    }

    /// RFC 3986 percent-decoding of one segment; nil for a malformed escape or bytes that
    /// are not UTF-8.
    static func percentDecoded(_ segment: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = segment.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(\.hexDigitValue), let low = utf8.next().flatMap(\.hexDigitValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
