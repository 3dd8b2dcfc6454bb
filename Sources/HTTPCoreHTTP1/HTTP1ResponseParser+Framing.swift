import HTTPCore
import HTTPTypes

extension HTTP1ResponseParser {
    /// Ends a head: 1xx heads loop back for the final response; a final head decides how
    /// the body is framed (RFC 9112 section 6.3) and whether the connection may be reused.
    mutating func finishHead(_ head: Head) throws(HTTP1ParseError) -> HTTP1ResponseEvent? {
        let fields = head.section.fields
        let status = HTTPResponse.Status(code: head.status, reasonPhrase: String(decoding: head.reason, as: UTF8.self))
        let response = HTTPResponse(status: status, headerFields: fields)
        if (100..<200).contains(head.status) {
            if head.status == 101 { throw .unsolicitedUpgrade }
            state = .statusLine
            return .informational(response)
        }

        keepAlive = HTTP1Framing.keepAlive(version: head.version, fields: fields)
        if method == .head || head.status == 204 || head.status == 304 {
            state = .body(HTTP1BodyReader(state: .fixed(remaining: 0)))
        } else if method == .connect, (200..<300).contains(head.status) {
            // A tunnel: what follows belongs to the tunnel, not to HTTP.
            keepAlive = false
            state = .body(HTTP1BodyReader(state: .fixed(remaining: 0)))
        } else if fields.contains(where: { $0.name == .transferEncoding }) {
            let chunked = try HTTP1Framing.isChunked(fields[values: .transferEncoding])
            state = .body(HTTP1BodyReader(state: chunked ? .chunkSize : .untilClose))
            if !chunked || fields[.contentLength] != nil || head.version == .http1_0 { keepAlive = false }
        } else if let length = try HTTP1Framing.contentLength(in: fields) {
            state = .body(HTTP1BodyReader(state: .fixed(remaining: length)))
        } else {
            state = .body(HTTP1BodyReader(state: .untilClose))
            keepAlive = false
        }
        return .head(response, head.version)
    }
}
