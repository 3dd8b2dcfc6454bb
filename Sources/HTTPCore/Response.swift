public import HTTPTypes

/// The protocol a response travelled over.
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http1_0, http1_1, http2

    public var description: String {
        switch self {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        case .http2: "HTTP/2"
        }
    }
}

/// A response: the head as soon as it arrives, and a body that streams on demand.
public struct Response: Sendable {
    public var head: HTTPResponse
    public var body: ResponseBody
    public var version: HTTPVersion
    /// Priority updates and PING for the stream that carries this response (HTTP/2); nil
    /// over HTTP/1.1. A layer that rebuilds the response around a new body passes it on.
    public var streamControl: (any ResponseStreamControl)?

    public init(head: HTTPResponse, body: ResponseBody, version: HTTPVersion, streamControl: (any ResponseStreamControl)? = nil) {
        self.head = head
        self.body = body
        self.version = version
        self.streamControl = streamControl
    }

    public var status: HTTPResponse.Status { head.status }
}
