#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import HTTPCore
public import HTTPCoreClient
public import HTTPTypes
public import OpenAPIRuntime

/// swift-openapi-runtime's `ClientTransport` over `HTTPClient`: give it to a generated
/// `Client` and every operation goes through the client's pool, policies and deadline.
///
///     let client = try HTTPClient(configuration: .init(http2: true))
///     let api = Client(serverURL: URL(string: "https://api.example.com/v1")!, transport: OpenAPIClientTransport(client: client))
///
/// Both bodies stream: the request body is pulled as the connection can send it (with
/// Content-Length when its length is known, else chunked over HTTP/1.1), and the response
/// comes back as soon as its head arrives, its `HTTPBody` reading from the connection as
/// the caller iterates (with the length Content-Length gives, when the client has not
/// decoded a Content-Encoding). Reading that body to its end hands the connection back;
/// dropping it early closes the HTTP/1.1 connection or resets the HTTP/2 stream.
///
/// Failures are `HTTPCoreError`s (the runtime wraps them in its `ClientError`, with the
/// `HTTPCoreError` as `underlyingError`), so callers branch on `category` and
/// `isSafeToRetry` as with the client itself.
public struct OpenAPIClientTransport: ClientTransport {
    public let client: HTTPClient

    public init(client: HTTPClient) { self.client = client }

    public func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let response: HTTPClient.StreamingResponse
        do {
            response = try await client.open(
                request.method, Self.url(baseURL, request.path ?? "/"), headers: Self.headers(request.headerFields), body: Self.body(body)
            )
        } catch {
            throw HTTPCoreError.from(error, default: .requestBodyUnreadable)
        }
        return (response.head, responseBody(response, method: request.method))
    }

    /// The base URL's text with the operation's path (and query) after it: the base's own
    /// path is a prefix (`http://host/v1` + `/greet` is `http://host/v1/greet`).
    static func url(_ baseURL: URL, _ path: String) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return path.hasPrefix("/") ? base + path : base + "/" + path
    }

    /// The operation's fields but its framing, which the client derives from the body.
    static func headers(_ fields: HTTPFields) -> NameValuePairs {
        NameValuePairs(fields.lazy
            .filter { $0.name != .contentLength && $0.name != .transferEncoding }
            .map { ($0.name.rawName, $0.value) })
    }

    /// The body pulled chunk by chunk as the connection sends, never collected first.
    static func body(_ body: HTTPBody?) -> HTTPClient.Body {
        guard let body else { return .empty }
        let length: Int? = if case .known(let count) = body.length { Int(count) } else { nil }
        if length == 0 { return .empty }
        return .stream(body.map { Array($0) }, length: length)
    }

    /// Nil where no body can follow (a HEAD's response, 1xx, 204, 304); else the
    /// streaming body, its length known when Content-Length gives it for these bytes.
    func responseBody(_ response: HTTPClient.StreamingResponse, method: HTTPRequest.Method) -> HTTPBody? {
        let status = response.head.status
        if method == .head || status.kind == .informational || status.code == 204 || status.code == 304 {
            response.body.close()
            return nil
        }
        let fields = response.head.headerFields
        let decoded = client.configuration.decoding != nil && fields[.contentEncoding] != nil
        let length = decoded ? nil : fields[.contentLength].flatMap { Int64($0) }
        return HTTPBody(response.body, length: length.map { .known($0) } ?? .unknown, iterationBehavior: .single)
    }
}
