public import HTTPCore

/// A transport that answers with a closure, no sockets (httpx's `MockTransport`): give it
/// to `HTTPClient.Configuration.transport` or a mount to test code that uses the client.
///
///     let transport = ClosureTransport { request in
///         Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array("hi".utf8)), version: .http1_1)
///     }
public struct ClosureTransport: RequestInterface {
    private let answer: @Sendable (Request) async throws -> Response

    public init(_ answer: @escaping @Sendable (Request) async throws -> Response) { self.answer = answer }

    public func send(_ request: Request) async throws -> Response { try await answer(request) }
}
