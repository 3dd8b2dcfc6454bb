/// The checks, one table column each.
enum CheckKind: String, CaseIterable, Sendable {
    /// A small file, compared byte for byte.
    case get
    /// HEAD of the large file: the length announced, no body read, and the connection
    /// still in step for a GET after it.
    case head
    /// A small in-memory body (Content-Length), echoed or digested by the peer.
    case post
    /// A large file, hashed as it streams and compared with the docroot's digest.
    case download
    /// A large streamed body of unknown length (chunked over HTTP/1.1), echoed or digested.
    case upload
    /// `Checker.parallelRequests` GETs of the small file at once, each compared byte for
    /// byte; over HTTP/2 they must share one connection.
    case parallel
    /// Response trailers, asked for with `TE: trailers`, read after the body.
    case trailers
    /// A GET after the peer closed the idle connection (FIN, or GOAWAY then FIN): the
    /// pool must notice, or retry, and serve it on a new connection.
    case idle
    /// A text file asked for with `Accept-Encoding: gzip`: the peer must compress it, and
    /// HTTPCoreDecoding's body (as HTTPClient decodes) must give the file back.
    case gzip
    /// The same with `Accept-Encoding: br`.
    case br
    /// A streamed POST echoed chunk by chunk, each chunk sent only after the last came
    /// back: `send` must return at the response head with the upload still open, as the
    /// architecture promises, against servers other than our own.
    case duplex

    func title(downloadSize: Int, uploadSize: Int) -> String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .download: "GET \(downloadSize >> 20) MiB"
        case .upload: "POST \(uploadSize >> 20) MiB"
        case .parallel: "\(Checker.parallelRequests) at once"
        case .trailers: "trailers"
        case .idle: "after idle close"
        case .gzip: "gzip"
        case .br: "br"
        case .duplex: "duplex"
        }
    }
}
