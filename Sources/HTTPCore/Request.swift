public import HTTPTypes

/// One request: a head in the ecosystem's currency type, a body, and per-request options.
public struct Request: Sendable {
    public var head: HTTPRequest
    public var body: RequestBody
    public var options: RequestOptions

    public init(head: HTTPRequest, body: RequestBody = .empty, options: RequestOptions = .init()) {
        self.head = head
        self.body = body
        self.options = options
    }

    /// Builds a request from plain strings, refusing what `HTTPTypes` would silently
    /// rewrite: CR, LF or NUL anywhere in the method, URL, or a field name or value are an
    /// error here, not spaces on the wire.
    public init(
        method: String = "GET",
        url: String,
        headers: [(String, String)] = [],
        body: RequestBody = .empty,
        options: RequestOptions = .init()
    ) throws(HTTPCoreError) {
        try Request.refuseControlBytes(in: method, what: "method")
        try Request.refuseControlBytes(in: url, what: "URL")
        guard let parsedMethod = HTTPRequest.Method(method) else {
            throw HTTPCoreError(.invalidRequest, "method \(method.debugDescription) is not a token")
        }
        guard let (scheme, afterScheme) = Origin.splitScheme(url) else {
            throw HTTPCoreError(.invalidRequest, "URL \(url.debugDescription) needs http(s)://host[:port]")
        }
        let utf8 = afterScheme.utf8
        let authorityEnd = utf8.firstIndex(where: Origin.endsAuthority) ?? utf8.endIndex
        guard let origin = Origin(scheme: String(scheme), authority: afterScheme[..<authorityEnd]) else {
            throw HTTPCoreError(.invalidRequest, "URL \(url.debugDescription) needs http(s)://host[:port]")
        }
        // The path and query: "/" when empty, "/" put before a bare "?query", no fragment.
        let rest = afterScheme[authorityEnd...]
        let target = rest[..<(rest.utf8.firstIndex(of: UInt8(ascii: "#")) ?? rest.endIndex)]
        let path = target.utf8.first == UInt8(ascii: "/") ? String(target) : "/" + target
        var fields = HTTPFields()
        for (name, value) in headers {
            try Request.refuseControlBytes(in: name, what: "field name")
            try Request.refuseControlBytes(in: value, what: "value of field \(name.debugDescription)")
            guard let fieldName = HTTPField.Name(name) else {
                throw HTTPCoreError(.invalidRequest, "field name \(name.debugDescription) is not a token")
            }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        self.init(
            head: HTTPRequest(method: parsedMethod, scheme: origin.scheme, authority: origin.authority, path: path, headerFields: fields),
            body: body,
            options: options
        )
    }

    /// The origin the head names (scheme and authority), if it names one.
    public var origin: Origin? {
        guard let scheme = head.scheme, let authority = head.authority else { return nil }
        return Origin(scheme: scheme, authority: authority)
    }

    package static func refuseControlBytes(in text: String, what: String) throws(HTTPCoreError) {
        if let bad = text.utf8.first(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
            let name = bad == 0x0D ? "CR" : bad == 0x0A ? "LF" : "NUL"
            throw HTTPCoreError(.invalidRequest, "\(name) in \(what) \(text.debugDescription)", processing: .notProcessed)
        }
    }
}
