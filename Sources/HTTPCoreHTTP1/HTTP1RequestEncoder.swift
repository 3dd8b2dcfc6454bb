import HTTPCore
import HTTPTypes

/// Serializes request heads and body framing, refusing anything that could split or
/// smuggle a message before a byte is written.
enum HTTP1RequestEncoder {
    enum Framing: Equatable {
        case none
        case contentLength(Int)
        case chunked
    }

    /// Content-Length for bodies of known size, chunked for streams of unknown size (or with
    /// trailers). A user-set Content-Length must agree with a known size and gives the size
    /// of a stream; a user-set Transfer-Encoding may only be `chunked`.
    static func framing(for request: Request) throws(HTTPCoreError) -> Framing {
        let fields = request.head.headerFields
        let declared = try declaredLength(fields)
        if let encoding = fields[.transferEncoding] {
            guard encoding.trimmingOWS.lowercased() == "chunked", declared == nil else {
                throw HTTPCoreError(.invalidRequest, "Transfer-Encoding \(encoding.debugDescription) cannot be sent; framing comes from the body", processing: .notProcessed)
            }
            return .chunked
        }
        if request.body.trailers != nil {
            guard declared == nil else {
                throw HTTPCoreError(.invalidRequest, "trailers need a chunked body, but Content-Length is set", processing: .notProcessed)
            }
            return .chunked
        }
        if let known = request.body.knownLength {
            if let declared, declared != known {
                throw HTTPCoreError(.invalidRequest, "Content-Length \(declared) but the body has \(known) bytes", processing: .notProcessed)
            }
            if known == 0, declared == nil, !methodsWithBody.contains(request.head.method) { return .none }
            return .contentLength(known)
        }
        return declared.map { .contentLength($0) } ?? .chunked
    }

    private static let methodsWithBody: Set<HTTPRequest.Method> = [.post, .put, .patch]

    private static func declaredLength(_ fields: HTTPFields) throws(HTTPCoreError) -> Int? {
        let values = fields[values: .contentLength]
        guard !values.isEmpty else { return nil }
        do {
            return try HTTP1Framing.contentLength(values)
        } catch {
            throw HTTPCoreError(.invalidRequest, "Content-Length \(values) is not a single length", processing: .notProcessed)
        }
    }

    /// The request line, Host (from the request's authority, else the origin), the user's
    /// fields, `additionalFields` (which replace the user's of the same name), and the
    /// framing field. `absoluteForm` is for a forward proxy: `GET http://host/path`, and
    /// `OPTIONS *` becomes `OPTIONS http://host` (RFC 9112 §3.2.4).
    static func encodeHead(
        _ head: HTTPRequest,
        origin: Origin,
        framing: Framing,
        absoluteForm: Bool = false,
        additionalFields: HTTPFields = [:]
    ) throws(HTTPCoreError) -> [UInt8] {
        let method = head.method.rawValue
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw HTTPCoreError(.invalidRequest, "method \(method.debugDescription) is not a token", processing: .notProcessed)
        }
        let host = head.authority ?? origin.authority
        try requireVisible(host, what: "authority")
        var target = head.path ?? (head.method == .connect ? origin.authority : "/")
        if absoluteForm, head.method != .connect {
            target = "\(origin.scheme)://\(host)" + (target == "*" ? "" : target)
        }
        try requireVisible(target, what: "request target")

        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: method.utf8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: target.utf8)
        bytes.append(contentsOf: " HTTP/1.1\r\nHost: ".utf8)
        bytes.append(contentsOf: host.utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        for field in head.headerFields where !framingFields.contains(field.name) && additionalFields[values: field.name].isEmpty {
            try appendField(field, to: &bytes)
        }
        for field in additionalFields where !framingFields.contains(field.name) {
            try appendField(field, to: &bytes)
        }
        switch framing {
        case .none: break
        case .contentLength(let length): bytes.append(contentsOf: "Content-Length: \(length)\r\n".utf8)
        case .chunked: bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        return bytes
    }

    private static let framingFields: Set<HTTPField.Name> = [.http1Host, .contentLength, .transferEncoding]

    static func appendField(_ field: HTTPField, to bytes: inout [UInt8]) throws(HTTPCoreError) {
        // Read in place: a copy of each value cost an allocation per field per request.
        let value = field.value.utf8
        // HTTPTypes already turns CR, LF and NUL into spaces; this is the last line of defence.
        if value.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
            throw HTTPCoreError(.invalidRequest, "CR, LF or NUL in field \(field.name)", processing: .notProcessed)
        }
        bytes.append(contentsOf: field.name.rawName.utf8)
        bytes.append(contentsOf: ": ".utf8)
        bytes.append(contentsOf: value)
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// A request target or authority: visible ASCII only. `HTTPTypes` turns CR, LF and NUL
    /// into spaces, so a space here is where an injection attempt ends up.
    private static func requireVisible(_ text: String, what: String) throws(HTTPCoreError) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPCoreError(.invalidRequest, "\(what) \(text.debugDescription) has a space or control byte", processing: .notProcessed)
        }
    }

    /// One chunk of a chunked body, framed.
    static func chunk(_ data: [UInt8]) -> [UInt8] {
        var bytes = Array(String(data.count, radix: 16).utf8)
        bytes.reserveCapacity(bytes.count + data.count + 4)
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: data)
        bytes.append(contentsOf: "\r\n".utf8)
        return bytes
    }

    /// The last chunk with trailers.
    static func lastChunk(trailers: HTTPFields?) throws(HTTPCoreError) -> [UInt8] {
        var bytes = Array("0\r\n".utf8)
        for field in trailers ?? [:] { try appendField(field, to: &bytes) }
        bytes.append(contentsOf: "\r\n".utf8)
        return bytes
    }
}
