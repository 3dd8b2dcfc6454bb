package import HTTPCore
package import HTTPTypes

/// A server's response head and body framing on the wire (RFC 9112 §4, §6, §7). The
/// server picks the framing; this type only writes it, with the request encoder's field
/// checks (no CR, LF or NUL reaches the wire).
package enum HTTP1ResponseEncoder {
    /// How the body is delimited.
    package enum Framing: Sendable, Equatable {
        /// No body: HEAD, 1xx, 204, 304, or an empty response.
        case none
        case contentLength(Int)
        case chunked
        /// Until the connection closes (a client speaking HTTP/1.0 and no length known).
        case close
    }

    /// `HTTP/1.1 <status> <reason>` and the fields, the framing field added (any framing
    /// field of `head` is replaced), `Connection: close` when `close`.
    package static func head(_ head: HTTPResponse, framing: Framing, close: Bool) throws(HTTPCoreError) -> [UInt8] {
        var bytes = Array("HTTP/1.1 \(head.status.code) \(head.status.reasonPhrase)\r\n".utf8)
        for field in head.headerFields where !skipped.contains(field.name) {
            try HTTP1RequestEncoder.appendField(field, to: &bytes)
        }
        switch framing {
        case .contentLength(let length): bytes += Array("Content-Length: \(length)\r\n".utf8)
        case .chunked: bytes += Array("Transfer-Encoding: chunked\r\n".utf8)
        case .none, .close: break
        }
        if close { bytes += Array("Connection: close\r\n".utf8) }
        bytes += Array("\r\n".utf8)
        return bytes
    }

    package static func chunk(_ data: [UInt8]) -> [UInt8] { HTTP1RequestEncoder.chunk(data) }

    package static func lastChunk(trailers: HTTPFields?) throws(HTTPCoreError) -> [UInt8] {
        try HTTP1RequestEncoder.lastChunk(trailers: trailers)
    }

    package static let continueHead = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Written by the encoder from the framing it was given, never copied from the head.
    private static let skipped: Set<HTTPField.Name> = [.transferEncoding, .connection, .contentLength]
}
