import HTTPCore
import HTTPTypes

/// Request heads to HTTP/2 header lists and response header lists back (RFC 9113 §8.2-8.3).
enum HTTP2Fields {
    static func request(_ request: Request, origin: Origin) throws(HTTPCoreError) -> HTTP2HeaderList {
        let head = request.head
        // A known length is declared, and always for POST and PUT (a server may want it).
        let length = request.body.knownLength.flatMap { $0 > 0 || head.method == .post || head.method == .put ? $0 : nil }
        return try Self.head(head, origin: origin, contentLength: length, priority: request.options.priority)
    }

    /// A request head as a header list: the pseudo-headers, then every field HTTP/2 allows,
    /// `content-length` when the head lacks one and `contentLength` is given, and the
    /// RFC 9218 `priority` field.
    static func head(_ head: HTTPRequest, origin: Origin, contentLength: Int?, priority: Priority?) throws(HTTPCoreError) -> HTTP2HeaderList {
        let scheme = head.scheme ?? origin.scheme
        let authority = head.authority ?? origin.authority
        let path = head.path ?? "/"
        // Sized once, so the list's one allocation never regrows.
        var bytes = head.method.rawValue.utf8.count + scheme.utf8.count + authority.utf8.count + path.utf8.count + 64
        for field in head.headerFields { bytes += field.name.canonicalName.utf8.count + field.value.utf8.count + 8 }
        var fields = HTTP2HeaderList(reservingBytes: bytes)
        fields.append(":method", head.method.rawValue)
        fields.append(":scheme", scheme)
        fields.append(":authority", authority)
        fields.append(":path", path)
        var sawContentLength = false
        for field in head.headerFields {
            let name = field.name.canonicalName
            if isConnectionSpecific(name) || name == "host" { continue }
            if name == "te", field.value.lowercased() != "trailers" { continue }
            if name == "content-length" { sawContentLength = true }
            fields.append(name, field.value)
        }
        if !sawContentLength, let contentLength {
            fields.append("content-length", String(contentLength))
        }
        if let priority {
            fields.append("priority", priority.headerValue)
        }
        return fields
    }

    /// The response (or 1xx) head: `:status` and regular fields. nghttp2 has already
    /// refused pseudo-headers a response must not carry and connection-specific fields.
    static func responseHead(_ received: HTTP2ReceivedHeaders) throws(HTTPCoreError) -> HTTPResponse {
        if received.hasInvalidName {
            throw HTTPCoreError(.malformedResponse, "invalid field name in an HTTP/2 response")
        }
        guard let text = received.status, text.utf8.count == 3, let status = Int(text), (100...999).contains(status) else {
            throw HTTPCoreError(.malformedResponse, "HTTP/2 response without a valid :status")
        }
        return HTTPResponse(status: HTTPResponse.Status(code: status), headerFields: received.fields)
    }

    /// Server role: a request head from its pseudo-headers and fields; nil when a required
    /// pseudo-header is missing or a name is invalid (nghttp2 has already refused unknown
    /// or misplaced pseudo-headers and connection-specific fields).
    static func requestHead(_ received: HTTP2ReceivedHeaders) -> HTTPRequest? {
        guard !received.hasInvalidName, let name = received.method, let method = HTTPRequest.Method(name) else { return nil }
        // CONNECT carries only :authority (RFC 9113 §8.5); every other method needs
        // :scheme and :path.
        if method != .connect, received.scheme == nil || received.path == nil { return nil }
        return HTTPRequest(method: method, scheme: received.scheme, authority: received.authority, path: received.path, headerFields: received.fields)
    }

    /// Server role: a response head as a header list, connection-specific fields dropped
    /// (RFC 9113 §8.2.2).
    static func response(_ head: HTTPResponse) -> HTTP2HeaderList {
        var bytes = 16
        for field in head.headerFields { bytes += field.name.canonicalName.utf8.count + field.value.utf8.count + 8 }
        var fields = HTTP2HeaderList(reservingBytes: bytes)
        fields.append(":status", String(head.status.code))
        for field in head.headerFields where !isConnectionSpecific(field.name.canonicalName) {
            fields.append(field.name.canonicalName, field.value)
        }
        return fields
    }

    /// Fields HTTP/2 forbids (§8.2.2): they describe an HTTP/1.1 connection. A switch, not
    /// a set: no hashing per field.
    static func isConnectionSpecific(_ name: String) -> Bool {
        switch name {
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": true
        default: false
        }
    }
}
