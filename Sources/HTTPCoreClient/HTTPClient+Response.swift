public import HTTPCore
public import HTTPTypes
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HTTPClient {
    /// A response read to its end (what `get`, `post`, ... return), as httpx's `Response`.
    public struct Response: Sendable {
        public let head: HTTPResponse
        public let version: HTTPVersion
        /// The URL the request went to (built when read: most callers never do).
        public var url: String { target.string }
        let target: ClientURL
        /// The request as it was sent: method, scheme, authority, path and every field.
        public let request: HTTPRequest
        /// From the start of the request to the last body byte.
        public let elapsed: Duration
        public let body: [UInt8]
        public let trailers: HTTPFields?
        /// The redirects that led here, first first, each with up to the policy's bound of
        /// its body.
        public let history: [Response]


        /// The body's bytes.
        public func bytes() -> [UInt8] { body }

        /// The body as text in the charset Content-Type names (UTF-8 when it names none or
        /// one this does not know); bytes that do not decode become U+FFFD.
        public func text() -> String { TextDecoding.decode(body, contentType: headers[.contentType]) }

        /// The body decoded as JSON into `type`; `.responseUndecodable` (with the
        /// `DecodingError` as `underlying`) when it does not fit.
        public func json<T: Decodable>(as type: T.Type = T.self) throws(HTTPCoreError) -> T {
            try JSONBody.decode(type, from: body)
        }

        /// Throws `HTTPStatusError` (carrying this response) for a 4xx or 5xx status;
        /// returns the response otherwise, so calls chain.
        @discardableResult
        public func raiseForStatus() throws(HTTPStatusError) -> Response {
            if head.status.kind == .clientError || head.status.kind == .serverError { throw HTTPStatusError(response: self) }
            return self
        }
    }
}

/// A 4xx or 5xx response, from `raiseForStatus()` (httpx's `HTTPStatusError`). It is not
/// an `HTTPCoreError`: the exchange succeeded, and the response is here to read.
public struct HTTPStatusError: Error, Sendable, CustomStringConvertible {
    public let response: HTTPClient.Response

    public var description: String {
        let kind = response.head.status.kind == .clientError ? "Client error" : "Server error"
        return "\(kind) '\(response.statusCode) \(response.reasonPhrase)' for url '\(response.url)'"
    }
}

/// JSON decoding for the response helpers.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(HTTPCoreError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw HTTPCoreError(.responseUndecodable, "the body is not JSON for \(T.self): \(error)", underlying: error)
        }
    }
}
