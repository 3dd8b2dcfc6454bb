public import HTTPCore
public import HTTPTypes

extension HTTPClient {
    /// A response whose body is still arriving (from `stream`): the head now, the body as
    /// chunks or lines at the reader's pace.
    public struct StreamingResponse: Sendable {
        public let head: HTTPResponse
        public let version: HTTPVersion
        /// The URL the request went to (built when read: most callers never do).
        public var url: String { target.string }
        let target: ClientURL
        public let request: HTTPRequest
        /// From the start of the request to the response head.
        public let elapsed: Duration
        /// The body's chunks, once; reading to the end hands the connection back.
        public let body: ResponseBody
        /// PRIORITY_UPDATE for the response's stream and PING for its connection, while
        /// the body streams (HTTP/2); nil over HTTP/1.1.
        public let streamControl: (any ResponseStreamControl)?
        let limit: Int
        /// The redirects that led here, first first.
        public let history: [HTTPClient.Response]


        /// The body as lines (httpx's `aiter_lines`): split at LF, a CR before it dropped,
        /// decoded by the charset Content-Type names. No line may exceed the client's
        /// buffered limit.
        public var lines: ResponseLines { ResponseLines(body: body, contentType: headers[.contentType], limit: limit) }

        /// The rest of the body, up to the client's buffered limit (`.bodyTooLarge`
        /// beyond it, and the connection is let go).
        public func bytes() async throws -> [UInt8] { try await body.collect(upTo: limit) }

        public func text() async throws -> String {
            TextDecoding.decode(try await bytes(), contentType: headers[.contentType])
        }

        public func json<T: Decodable>(as type: T.Type = T.self) async throws -> T {
            try JSONBody.decode(type, from: try await bytes())
        }
    }
}

/// A body's lines, as an async sequence of strings.
public struct ResponseLines: AsyncSequence, Sendable {
    public typealias Element = String
    let body: ResponseBody
    let contentType: String?
    let limit: Int

    public func makeAsyncIterator() -> Iterator { Iterator(chunks: body.makeAsyncIterator(), contentType: contentType, limit: limit) }

    public struct Iterator: AsyncIteratorProtocol {
        var chunks: ResponseBody.Iterator
        let contentType: String?
        let limit: Int
        var pending: [UInt8] = []
        var ended = false

        public mutating func next() async throws -> String? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = pending[..<newline]
                    if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                    let text = TextDecoding.decode(Array(line), contentType: contentType)
                    pending.removeSubrange(...newline)
                    return text
                }
                if ended {
                    guard !pending.isEmpty else { return nil }
                    defer { pending = [] }
                    return TextDecoding.decode(pending, contentType: contentType)
                }
                guard let chunk = try await chunks.next() else {
                    ended = true
                    continue
                }
                guard pending.count + chunk.count <= limit || chunk.contains(UInt8(ascii: "\n")) else {
                    throw HTTPCoreError(.bodyTooLarge, "a line exceeds the \(limit)-byte limit")
                }
                pending += chunk
            }
        }
    }
}
