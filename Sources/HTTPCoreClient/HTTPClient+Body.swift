public import HTTPCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension HTTPClient {
    /// A request body as httpx takes them (`content=`, `data=`, `files=`, `json=`), with the
    /// Content-Type each implies. Everything that can fail (a JSON value that does not
    /// encode, a file that cannot be opened) fails before a connection is used.
    public struct Body: Sendable {
        enum Kind: Sendable {
            case empty
            case bytes([UInt8])
            case file(path: String)
            case stream(RequestBody)
            case json(@Sendable () throws -> [UInt8])
            case form([(String, String)])
            case multipart(MultipartForm)
        }

        let kind: Kind

        public static let empty = Body(kind: .empty)

        /// Bytes as they are; no Content-Type.
        public static func bytes(_ bytes: [UInt8]) -> Body { Body(kind: .bytes(bytes)) }

        /// Text as UTF-8; no Content-Type (set one for text/plain or another type).
        public static func string(_ text: String) -> Body { Body(kind: .bytes(Array(text.utf8))) }

        /// A file streamed from disk, never loaded whole, with its length when it is a
        /// regular file (else chunked); no Content-Type. Replayable: each send opens it anew.
        public static func file(_ path: String) -> Body { Body(kind: .file(path: path)) }

        /// Chunks pulled as the connection can send them; with `length`, exactly that
        /// many bytes (else HTTP/1.1 sends chunked). Sent once: a retry cannot replay it.
        public static func stream<S: AsyncSequence & Sendable>(_ chunks: S, length: Int? = nil) -> Body where S.Element == [UInt8] {
            Body(kind: .stream(.stream(chunks, length: length)))
        }

        /// `value` through Foundation's JSONEncoder (sorted keys, so the bytes are
        /// repeatable), as `application/json`. A value that does not encode is a
        /// `.invalidRequest` error whose `underlying` is the `EncodingError`.
        public static func json<T: Encodable & Sendable>(_ value: T) -> Body {
            Body(kind: .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                return Array(try encoder.encode(value))
            })
        }

        /// JSON text as given, as `application/json` (not validated).
        public static func json(text: String) -> Body { Body(kind: .json { Array(text.utf8) }) }

        /// Form fields as `application/x-www-form-urlencoded` (space as `+`), in order.
        public static func form(_ fields: NameValuePairs) -> Body { Body(kind: .form(fields.pairs)) }

        /// RFC 7578 `multipart/form-data` with a random boundary; files stream from disk.
        public static func multipart(_ form: MultipartForm) -> Body { Body(kind: .multipart(form)) }

        /// Whether the body can be sent again (a 307/308 redirect, a retry): everything but
        /// a stream, which is pulled once.
        var isReplayable: Bool {
            if case .stream = kind { return false }
            return true
        }

        /// The body as connections and the pool take it, and the Content-Type it implies,
        /// for code that sends through a lower layer with the client's encodings (hx bench
        /// on the bare pool). Fails as sending it would: a JSON value that does not encode,
        /// a file that cannot be opened.
        public func encoded() throws(HTTPCoreError) -> (body: RequestBody, contentType: String?) {
            switch kind {
            case .empty:
                return (.empty, nil)
            case .bytes(let bytes):
                return (.bytes(bytes), nil)
            case .file(let path):
                return (try Body.fileBody(path), nil)
            case .stream(let body):
                return (body, nil)
            case .json(let encode):
                do {
                    return (.bytes(try encode()), "application/json")
                } catch {
                    throw HTTPCoreError(.invalidRequest, "the JSON body does not encode: \(error)", processing: .notProcessed, underlying: error)
                }
            case .form(let fields):
                return (.bytes(PercentEncoding.form(fields)), "application/x-www-form-urlencoded")
            case .multipart(let form):
                let prepared = try form.prepared()
                return (prepared.body, "multipart/form-data; boundary=\(prepared.boundary)")
            }
        }

        static func fileBody(_ path: String) throws(HTTPCoreError) -> RequestBody {
            guard let size = try FileChunks.size(of: path) else { return .stream(FileChunks(path: path)) }
            return size == 0 ? .empty : .stream(FileChunks(path: path), length: size)
        }
    }
}
