import HTTPCore

/// A `multipart/form-data` body (RFC 7578): fields and files in order, files streamed from
/// disk as the connection sends, never loaded whole. The length is known up front (file
/// sizes are read when the request is built), so HTTP/1.1 sends Content-Length.
public struct MultipartForm: Sendable {
    public enum Part: Sendable {
        case field(name: String, value: String)
        case data(name: String, bytes: [UInt8], filename: String?, contentType: String?)
        case file(name: String, path: String, filename: String?, contentType: String?)
    }

    public var parts: [Part]
    /// Nil: a random boundary for each send (32 hex digits after a fixed prefix).
    public var boundary: String?

    public init(_ parts: [Part] = [], boundary: String? = nil) {
        self.parts = parts
        self.boundary = boundary
    }

    public mutating func add(_ name: String, _ value: String) { parts.append(.field(name: name, value: value)) }

    /// A file part; its filename defaults to the path's last component and its type to
    /// one guessed from the extension.
    public mutating func addFile(_ name: String, path: String, filename: String? = nil, contentType: String? = nil) {
        parts.append(.file(name: name, path: path, filename: filename, contentType: contentType))
    }

    /// The body and its boundary. A file that cannot be opened is `.requestBodyUnreadable`.
    func prepared() throws(HTTPCoreError) -> (body: RequestBody, boundary: String) {
        let boundary = self.boundary ?? MultipartForm.randomBoundary()
        var segments: [Segment] = []
        var length = 0
        for part in parts {
            let head: String
            switch part {
            case .field(let name, let value):
                head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n"
                segments.append(.bytes(Array(head.utf8) + Array(value.utf8) + Array("\r\n".utf8)))
            case .data(let name, let bytes, let filename, let contentType):
                head = Self.fileHead(boundary, name, filename ?? name, contentType ?? "application/octet-stream")
                segments.append(.bytes(Array(head.utf8) + bytes + Array("\r\n".utf8)))
            case .file(let name, let path, let filename, let contentType):
                guard let size = try FileChunks.size(of: path) else {
                    throw HTTPCoreError(.requestBodyUnreadable, "\(path.debugDescription) is not a regular file", processing: .notProcessed)
                }
                let shown = filename ?? String(path.split(separator: "/").last ?? Substring(path))
                head = Self.fileHead(boundary, name, shown, contentType ?? MediaType.guess(forPath: shown))
                segments.append(.bytes(Array(head.utf8)))
                segments.append(.file(path, size))
                segments.append(.bytes(Array("\r\n".utf8)))
            }
        }
        segments.append(.bytes(Array("--\(boundary)--\r\n".utf8)))
        for segment in segments {
            switch segment {
            case .bytes(let bytes): length += bytes.count
            case .file(_, let size): length += size
            }
        }
        return (.stream(MultipartChunks(segments: segments), length: length), boundary)
    }

    private static func fileHead(_ boundary: String, _ name: String, _ filename: String, _ type: String) -> String {
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(quoted(name))\"; filename=\"\(quoted(filename))\"\r\n"
            + "Content-Type: \(type.filter { $0 != "\r" && $0 != "\n" })\r\n\r\n"
    }

    /// A name or filename inside quotes, escaped as browsers do (WHATWG): `"` as `%22`,
    /// CR as `%0D`, LF as `%0A`, so no value can end the header or the part.
    static func quoted(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "%22"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef")
        return "httpcore-" + String((0..<32).map { _ in hex[Int(generator.next() % 16)] })
    }

    enum Segment: Sendable {
        case bytes([UInt8])
        case file(String, Int)
    }
}

/// The segments of a multipart body in order, files read in chunks as they are reached.
struct MultipartChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let segments: [MultipartForm.Segment]

    func makeAsyncIterator() -> Iterator { Iterator(segments: segments[...]) }

    struct Iterator: AsyncIteratorProtocol {
        var segments: ArraySlice<MultipartForm.Segment>
        var file: FileChunks.Iterator?
        var fileRemaining = 0

        mutating func next() async throws -> [UInt8]? {
            while true {
                if let current = file {
                    if let chunk = try await current.next() {
                        // The file grew since its size was read: what was announced is sent.
                        let kept = chunk.count <= fileRemaining ? chunk : Array(chunk.prefix(fileRemaining))
                        fileRemaining -= kept.count
                        if fileRemaining == 0 { file = nil }
                        if !kept.isEmpty { return kept }
                        continue
                    }
                    file = nil
                    // The file shrank: the body will come up short, and the connection
                    // reports `.requestBodyLengthMismatch`.
                    continue
                }
                guard let segment = segments.popFirst() else { return nil }
                switch segment {
                case .bytes(let bytes):
                    return bytes
                case .file(let path, let size):
                    if size > 0 {
                        file = FileChunks(path: path).makeAsyncIterator()
                        fileRemaining = size
                    }
                }
            }
        }
    }
}
