public import HTTPTypes

/// What `HTTP1RequestParser` hands up for each request, in order: one `head`, body pieces,
/// optional trailers, then `end`; then the next pipelined request's events.
public enum HTTP1RequestEvent: Sendable, Hashable {
    /// The head, with `method`, `scheme`, `authority` and `path` taken from the target and
    /// Host (see `HTTP1RequestParser`). The parser's `version`, `keepAlive` and
    /// `expectsContinue` describe this request from here until the next head.
    case head(HTTPRequest)
    case body([UInt8])
    case trailers(HTTPFields)
    case end
}
