import HTTPCore
public import HTTPCoreServer
public import HTTPTypes
public import OpenAPIRuntime

/// swift-openapi-runtime's `ServerTransport` over `HTTPServer`: the generated
/// `registerHandlers(on:)` registers each operation here, and the server runs
/// `requestHandler`. Both bodies stream: the request body reaches the operation as it
/// arrives, and the response body goes out as the operation's `HTTPBody` yields it, so an
/// operation can answer an upload while it is still arriving (full duplex, as
/// `HTTPServer` allows).
///
///     let transport = OpenAPIServerTransport()
///     try GreetingService().registerHandlers(on: transport)
///     let server = try await HTTPServer.start(backend: backend, transport.requestHandler)
///
/// Routing is by method and path template (`/greet/{name}`, `/files/{name}.{ext}`), a
/// parameter taking part of one path segment, handed on percent-encoded for the runtime
/// to decode; `OpenAPIRouter` has the rules. A path no operation
/// has is answered 404; a path that exists with other methods, 405 with `Allow`. An
/// operation that throws is answered 500 (before its response head; after it, the stream
/// is reset or the HTTP/1.1 connection closed, as `HTTPServerResponseWriter` says).
public final class OpenAPIServerTransport: ServerTransport, Sendable {
    public typealias Operation = @concurrent @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)

    private let router = Locked(OpenAPIRouter<Operation>())

    public init() {}

    /// Adds an operation; fails with `OpenAPIRouteError` for a template the router does not
    /// take, or a method already registered on a template of the same shape.
    public func register(_ handler: @escaping Operation, method: HTTPRequest.Method, path: String) throws {
        try router.withLock { (router: inout OpenAPIRouter<Operation>) throws(OpenAPIRouteError) in
            try router.register(handler, method: method, path: path)
        }
    }

    /// The handler to start an `HTTPServer` with.
    public var requestHandler: HTTPServer.RequestHandler {
        { request, response in try await self.handle(request, response) }
    }

    /// Routes one request and streams the operation's answer.
    public func handle(_ request: HTTPServerRequest, _ response: HTTPServerResponseWriter) async throws {
        let path = request.head.path ?? "/"
        let pathOnly = path[..<(path.firstIndex { $0 == "?" || $0 == "#" } ?? path.endIndex)]
        switch router.withLock({ $0.route(request.head.method, path: pathOnly) }) {
        case .notFound:
            try await response.respond(HTTPResponse(status: .notFound), body: Array("not found\n".utf8))
        case .methodNotAllowed(let allowed):
            let head = HTTPResponse(status: .methodNotAllowed, headerFields: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
            try await response.respond(head, body: Array("method not allowed\n".utf8))
        case .found(let operation, let parameters):
            let (head, body) = try await operation(request.head, Self.body(of: request), ServerRequestMetadata(pathParameters: parameters))
            try await Self.send(head, body, to: response)
        }
    }

    /// The request body as it streams in, with its length when Content-Length gives it.
    /// Always a body, empty when the request has none, as the runtime's other server
    /// transports do: an operation that requires one then fails on its content rather
    /// than on its absence.
    static func body(of request: HTTPServerRequest) -> HTTPBody {
        let fields = request.head.headerFields
        let length = fields[.contentLength].flatMap { Int64($0) }
        if length == 0 || (request.version != .http2 && length == nil && fields[.transferEncoding] == nil) {
            return HTTPBody()
        }
        return HTTPBody(request.body, length: length.map { .known($0) } ?? .unknown, iterationBehavior: .single)
    }

    /// Writes the head (with Content-Length when the body's length is known, the head
    /// names none and the status allows a body), then each chunk as the body yields it.
    static func send(_ head: HTTPResponse, _ body: HTTPBody?, to response: HTTPServerResponseWriter) async throws {
        guard let body else { return try await response.respond(head) }
        var head = head
        let bodiless = head.status.kind == .informational || head.status.code == 204 || head.status.code == 304
        if case .known(let length) = body.length, head.headerFields[.contentLength] == nil, !bodiless {
            head.headerFields[.contentLength] = String(length)
        }
        try await response.writeHead(head)
        for try await chunk in body where !chunk.isEmpty {
            try await response.write(Array(chunk))
        }
        try await response.finish()
    }
}
