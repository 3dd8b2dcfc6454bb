public import HTTPTypes

/// What a buffered and a streaming response both answer about their head.
public protocol ClientResponseHead {
    var head: HTTPResponse { get }
}

extension ClientResponseHead {
    public var status: HTTPResponse.Status { head.status }
    public var statusCode: Int { head.status.code }
    /// The server's reason phrase, or the standard one when it sent none (HTTP/2 never does).
    public var reasonPhrase: String { ReasonPhrase.of(head.status) }
    public var headers: HTTPFields { head.headerFields }
}

extension HTTPClient.Response: ClientResponseHead {}
extension HTTPClient.StreamingResponse: ClientResponseHead {}
