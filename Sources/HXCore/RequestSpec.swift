public import HTTPCore
public import HTTPCoreClient

/// What one request is, checked: method, URL, the fields to send, and the body. Every
/// check runs here, before any connection, so a mistake is a usage error (exit 2).
public struct RequestSpec: Sendable {
    public static let userAgent = "hx/0.1"

    public let method: String
    public let url: TargetURL
    /// The fields in the order they are sent: hx's defaults and the body's, then the
    /// user's `-H` (which replace a default of the same name, or remove it with `Name:`).
    public let fields: [(name: String, value: String)]
    public let body: BodySpec?

    /// `method` nil means POST with a body, GET without. An all-letters method is
    /// upper-cased (`get` is `GET`), as in httpie.
    public init(method: String?, url: String, headers: [String] = [], body: BodySpec? = nil) throws(HXFailure) {
        var method = method ?? (body == nil ? "GET" : "POST")
        guard !method.isEmpty, method.utf8.allSatisfy(Token.isTokenByte) else {
            throw HXFailure(.usage, "method \(method.debugDescription) is not a valid HTTP method (letters, digits and !#$%&'*+-.^_`|~ only)")
        }
        if method.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) }) { method = method.uppercased() }
        self.method = method
        self.url = try TargetURL(url)
        self.body = body

        var lines: [HeaderLine] = []
        for header in headers { lines.append(try HeaderLine(argument: header)) }
        var fields: [(name: String, value: String)] = [("User-Agent", Self.userAgent), ("Accept", "*/*")]
        for (name, value) in body?.impliedHeaders ?? [] { Self.set(&fields, name, value) }
        // Several -H of one name are all sent; the first replaces a default.
        var given: Set<String> = []
        for line in lines {
            let key = line.name.lowercased()
            if line.removes {
                fields.removeAll { $0.name.lowercased() == key }
            } else if given.insert(key).inserted {
                Self.set(&fields, line.name, line.value)
            } else {
                fields.append((line.name, line.value))
            }
        }
        self.fields = fields
        do {
            _ = try Request(method: method, url: self.url.text, headers: fields.map { ($0.name, $0.value) })
        } catch {
            throw HXFailure(.usage, error.detail)
        }
    }

    private static func set(_ fields: inout [(name: String, value: String)], _ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
            fields[index] = (name, value)
        } else {
            fields.append((name, value))
        }
    }

    /// The fields for `HTTPClient` (whose own default fields hx turns off).
    public var headers: NameValuePairs { NameValuePairs(fields.map { ($0.name, $0.value) }) }

    public var httpMethod: HTTPRequest.Method {
        // Checked in `init` to be a token, which is what HTTPTypes takes.
        HTTPRequest.Method(method)!
    }

    /// The body for `HTTPClient`, with stdin read (at most once) and files opened lazily.
    public func clientBody(stdin: () throws(HXFailure) -> [UInt8]) throws(HXFailure) -> HTTPClient.Body {
        try body?.makeBody(stdin: stdin) ?? .empty
    }

    /// The request for the bare pool (`hx bench` without `--client`), encoded as the
    /// client would encode it, its Content-Type added unless `-H` gave one.
    public func makeRequest(options: RequestOptions, stdin: () throws(HXFailure) -> [UInt8]) throws(HXFailure) -> Request {
        let body = try clientBody(stdin: stdin)
        do {
            let (requestBody, contentType) = try body.encoded()
            var headers = fields.map { ($0.name, $0.value) }
            if let contentType, !fields.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(("Content-Type", contentType))
            }
            return try Request(method: method, url: url.text, headers: headers, body: requestBody, options: options)
        } catch {
            throw HXFailure(.usage, error.detail)
        }
    }
}
