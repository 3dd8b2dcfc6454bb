package import HTTPTypes

extension HTTPClient {
    /// `stream` without its closure: the response as soon as its head arrives, its body
    /// still streaming and owned by the caller from here on. For a caller that hands the
    /// body on beyond one scope, as the OpenAPI transport returns it to generated code.
    /// Read the body to its end (the connection goes back to the pool) or `close()` it;
    /// dropping every copy of it lets the connection go as well.
    package func open(
        _ method: HTTPRequest.Method, _ url: String, headers: NameValuePairs = [:], body: Body = .empty
    ) async throws -> StreamingResponse {
        let (final, request, response, start, history) = try await exchange(
            method, url, params: [:], headers: headers, body: body, cookies: [:], timeouts: nil,
            redirects: nil, retries: nil, trace: nil, auth: nil, logger: nil
        )
        return StreamingResponse(
            head: response.head, version: response.version, target: final.url, request: request.head,
            elapsed: start.duration(to: clock.now), body: response.body, streamControl: response.streamControl,
            limit: configuration.maxBufferedBodySize, history: history
        )
    }
}
