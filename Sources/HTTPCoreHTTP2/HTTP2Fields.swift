import HTTPCore
import HTTPTypes

/// Request heads to HTTP/2 header lists and response header lists back (RFC 9113 §8.2-8.3).
enum HTTP2Fields {
    /// Fields HTTP/2 forbids (§8.2.2): they describe an HTTP/1.1 connection.
    static let connectionSpecific: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    static func request(_ request: Request, origin: Origin) throws(HTTPCoreError) -> [NGHTTP2Session.Field] {
        let head = request.head
        // A known length is declared, and always for POST and PUT (a server may want it).
        let length = request.body.knownLength.flatMap { $0 > 0 || head.method == .post || head.method == .put ? $0 : nil }
        return try Self.head(head, origin: origin, contentLength: length, priority: request.options.priority)
    }

    /// A request head as a header list: the pseudo-headers, then every field HTTP/2 allows,
    /// `content-length` when the head lacks one and `contentLength` is given, and the
    /// RFC 9218 `priority` field.
    static func head(_ head: HTTPRequest, origin: Origin, contentLength: Int?, priority: Priority?) throws(HTTPCoreError) -> [NGHTTP2Session.Field] {
        var fields = [
            NGHTTP2Session.Field(":method", head.method.rawValue),
            NGHTTP2Session.Field(":scheme", head.scheme ?? origin.scheme),
            NGHTTP2Session.Field(":authority", head.authority ?? origin.authority),
            NGHTTP2Session.Field(":path", head.path ?? "/"),
        ]
        // The pseudo-headers, every field, content-length and priority: no regrowth.
        fields.reserveCapacity(6 + head.headerFields.count)
        var sawContentLength = false
        for field in head.headerFields {
            let name = field.name.canonicalName
            if connectionSpecific.contains(name) || name == "host" { continue }
            if name == "te", field.value.lowercased() != "trailers" { continue }
            if name == "content-length" { sawContentLength = true }
            fields.append(NGHTTP2Session.Field(name: Array(name.utf8), value: Array(field.value.utf8)))
        }
        if !sawContentLength, let contentLength {
            fields.append(NGHTTP2Session.Field("content-length", String(contentLength)))
        }
        if let priority {
            fields.append(NGHTTP2Session.Field("priority", priority.headerValue))
        }
        return fields
    }

    /// The response (or 1xx) head: `:status` and regular fields. nghttp2 has already
    /// refused pseudo-headers a response must not carry and connection-specific fields.
    static func responseHead(_ fields: [NGHTTP2Session.Field]) throws(HTTPCoreError) -> HTTPResponse {
        var status: Int?
        var headerFields = HTTPFields()
        for field in fields {
            if field.name.first == UInt8(ascii: ":") {
                if field.name == Array(":status".utf8), let code = Int(String(decoding: field.value, as: UTF8.self)), (100...999).contains(code) {
                    status = code
                }
                continue
            }
            guard let name = HTTPField.Name(String(decoding: field.name, as: UTF8.self)) else {
                throw HTTPCoreError(.malformedResponse, "invalid field name in an HTTP/2 response")
            }
            headerFields.append(HTTPField(name: name, lenientValue: field.value))
        }
        guard let status else { throw HTTPCoreError(.malformedResponse, "HTTP/2 response without a valid :status") }
        return HTTPResponse(status: HTTPResponse.Status(code: status), headerFields: headerFields)
    }

    /// Server role: a request head from its pseudo-headers and fields; nil when a required
    /// pseudo-header is missing or a name is invalid (nghttp2 has already refused unknown
    /// or misplaced pseudo-headers and connection-specific fields).
    static func requestHead(_ fields: [NGHTTP2Session.Field]) -> HTTPRequest? {
        var method: HTTPRequest.Method?
        var scheme: String?
        var authority: String?
        var path: String?
        var headerFields = HTTPFields()
        for field in fields {
            let value = String(decoding: field.value, as: UTF8.self)
            switch field.name {
            case Array(":method".utf8): method = HTTPRequest.Method(value)
            case Array(":scheme".utf8): scheme = value
            case Array(":authority".utf8): authority = value
            case Array(":path".utf8): path = value
            default:
                if field.name.first == UInt8(ascii: ":") { continue }
                guard let name = HTTPField.Name(String(decoding: field.name, as: UTF8.self)) else { return nil }
                headerFields.append(HTTPField(name: name, lenientValue: field.value))
            }
        }
        guard let method else { return nil }
        // CONNECT carries only :authority (RFC 9113 §8.5); every other method needs
        // :scheme and :path.
        if method != .connect, scheme == nil || path == nil { return nil }
        return HTTPRequest(method: method, scheme: scheme, authority: authority, path: path, headerFields: headerFields)
    }

    /// Server role: a response head as a header list, connection-specific fields dropped
    /// (RFC 9113 §8.2.2).
    static func response(_ head: HTTPResponse) -> [NGHTTP2Session.Field] {
        var fields = [NGHTTP2Session.Field(":status", String(head.status.code))]
        fields.reserveCapacity(1 + head.headerFields.count)
        for field in head.headerFields where !connectionSpecific.contains(field.name.canonicalName) {
            fields.append(NGHTTP2Session.Field(name: Array(field.name.canonicalName.utf8), value: Array(field.value.utf8)))
        }
        return fields
    }

    static func trailers(_ fields: [NGHTTP2Session.Field]) -> HTTPFields {
        var trailers = HTTPFields()
        for field in fields where field.name.first != UInt8(ascii: ":") {
            if let name = HTTPField.Name(String(decoding: field.name, as: UTF8.self)) {
                trailers.append(HTTPField(name: name, lenientValue: field.value))
            }
        }
        return trailers
    }

    static func encode(_ fields: HTTPFields) -> [NGHTTP2Session.Field] {
        fields.map { NGHTTP2Session.Field(name: Array($0.name.canonicalName.utf8), value: Array($0.value.utf8)) }
    }
}
