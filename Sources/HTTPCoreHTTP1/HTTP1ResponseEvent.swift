public import HTTPCore
public import HTTPTypes

/// What the parser hands up, in order: zero or more `informational` heads, one `head`,
/// body chunks, optional trailers, then `end`.
public enum HTTP1ResponseEvent: Sendable, Hashable {
    /// A 1xx response other than 101 (the parser goes on to the final response).
    case informational(HTTPResponse)
    case head(HTTPResponse, HTTPVersion)
    case body([UInt8])
    case trailers(HTTPFields)
    /// The response is complete. `keepAlive` is false when the connection must not carry
    /// another request (Connection: close, HTTP/1.0 without keep-alive, a close-delimited
    /// body, Transfer-Encoding with Content-Length, a CONNECT tunnel).
    case end(keepAlive: Bool)
}
