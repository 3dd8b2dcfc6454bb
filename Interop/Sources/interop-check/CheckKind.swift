/// The checks, one table column each.
enum CheckKind: String, CaseIterable, Sendable {
    /// A small file, compared byte for byte.
    case get
    /// A small in-memory body (Content-Length), echoed or digested by the peer.
    case post
    /// A large file, hashed as it streams and compared with the docroot's digest.
    case download
    /// A large streamed body of unknown length (chunked over HTTP/1.1), echoed or digested.
    case upload
    /// Response trailers, asked for with `TE: trailers`, read after the body.
    case trailers

    func title(downloadSize: Int, uploadSize: Int) -> String {
        switch self {
        case .get: "GET"
        case .post: "POST"
        case .download: "GET \(downloadSize >> 20) MiB"
        case .upload: "POST \(uploadSize >> 20) MiB"
        case .trailers: "trailers"
        }
    }
}
