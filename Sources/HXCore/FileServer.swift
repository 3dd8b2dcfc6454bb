import HTTPCore
public import HTTPCoreServer
import HTTPTypes

/// `hx serve`'s request handler: GET and HEAD of the files under a `DocumentRoot`
/// (streamed from disk, with Content-Length, Last-Modified and a Content-Type from the
/// extension; `index.html` or a listing for a folder), `/echo` for GET and POST (see
/// `EchoHandler`), and 405 for any other method. Kept apart from the command so tests
/// can serve a folder on the mock backend.
public struct FileServer: Sendable {
    public let root: DocumentRoot
    /// Receives one access-log line per request; nil for none.
    let log: (@Sendable (String) -> Void)?
    /// Bytes per read from disk and per DATA frame or chunk written: large enough that a
    /// big file costs few syscalls, small enough that a slow client holds little memory.
    static let chunkSize = 64 << 10

    public init(root: DocumentRoot, log: (@Sendable (String) -> Void)? = nil) {
        self.root = root
        self.log = log
    }

    /// The `HTTPServer` request handler.
    public func handle(_ request: HTTPServerRequest, _ response: HTTPServerResponseWriter) async throws {
        let target = request.head.path ?? "/"
        let (status, bytes): (Int, Int)
        let isEcho = target.prefix { $0 != "?" && $0 != "#" } == "/echo"
        switch request.head.method {
        case .get where isEcho, .post where isEcho:
            (status, bytes) = (200, try await EchoHandler.respond(to: request, with: response))
        case _ where isEcho:
            (status, bytes) = try await refuse(.methodNotAllowed, request, response, allow: "GET, POST")
        case .get, .head:
            (status, bytes) = try await serve(root.resolve(target), request, response)
        default:
            (status, bytes) = try await refuse(.methodNotAllowed, request, response, allow: "GET, HEAD")
        }
        if let log {
            let peer = request.info.remoteAddress.map { "\($0)" } ?? "-"
            log("\(peer) \"\(request.head.method) \(target) \(request.version)\" \(status) \(bytes)")
        }
    }

    private func serve(
        _ resolution: DocumentRoot.Resolution, _ request: HTTPServerRequest, _ response: HTTPServerResponseWriter
    ) async throws -> (Int, Int) {
        switch resolution {
        case .file(let path):
            guard let file = OpenFile(path: path) else { return try await refuse(.notFound, request, response) }
            return try await send(file, contentType: MediaType.forPath(path), request, response)
        case .directory(let path):
            if let index = OpenFile(path: path + "/index.html") {
                return try await send(index, contentType: MediaType.html, request, response)
            }
            let title = String((request.head.path ?? "/").prefix { $0 != "?" && $0 != "#" })
            guard let page = DirectoryListing.page(path: path, title: title) else { return try await refuse(.notFound, request, response) }
            return try await answer(.ok, page, contentType: MediaType.html, request, response)
        case .redirect(let location):
            var head = HTTPResponse(status: .movedPermanently)
            head.headerFields[.location] = location
            return try await answer(head, Array("moved to \(location)\n".utf8), request, response)
        case .notFound:
            return try await refuse(.notFound, request, response)
        }
    }

    /// A file, read and written one chunk at a time, so memory stays flat whatever its
    /// size and a slow client slows the reading. Exactly the announced length goes out: a
    /// file that grew is cut there, and one that shrank fails the response (a reset, or a
    /// closed connection over HTTP/1.1) rather than ending it short.
    private func send(
        _ file: OpenFile, contentType: String, _ request: HTTPServerRequest, _ response: HTTPServerResponseWriter
    ) async throws -> (Int, Int) {
        var head = HTTPResponse(status: .ok)
        head.headerFields[.contentType] = contentType
        head.headerFields[.contentLength] = String(file.size)
        head.headerFields[.lastModified] = HTTPDate.format(secondsSince1970: file.modified)
        if request.head.method == .head {
            try await response.respond(head)
            return (200, 0)
        }
        try await response.writeHead(head)
        var offset = 0
        while offset < file.size {
            let chunk = try file.read(at: offset, maxBytes: min(Self.chunkSize, file.size - offset))
            guard !chunk.isEmpty else { throw HXFailure(.failure, "the file shrank while being sent") }
            try await response.write(chunk)
            offset += chunk.count
        }
        try await response.finish()
        return (200, offset)
    }

    private func refuse(
        _ status: HTTPResponse.Status, _ request: HTTPServerRequest, _ response: HTTPServerResponseWriter, allow: String? = nil
    ) async throws -> (Int, Int) {
        var head = HTTPResponse(status: status)
        if let allow { head.headerFields[.allow] = allow }
        head.headerFields[.contentType] = MediaType.plainText
        return try await answer(head, Array("\(status.code) \(status.reasonPhrase)\n".utf8), request, response)
    }

    private func answer(
        _ status: HTTPResponse.Status, _ body: [UInt8], contentType: String, _ request: HTTPServerRequest, _ response: HTTPServerResponseWriter
    ) async throws -> (Int, Int) {
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = contentType
        return try await answer(head, body, request, response)
    }

    /// A small response held in memory; a HEAD gets its head only, with the length the
    /// body would have had.
    private func answer(
        _ head: HTTPResponse, _ body: [UInt8], _ request: HTTPServerRequest, _ response: HTTPServerResponseWriter
    ) async throws -> (Int, Int) {
        var head = head
        head.headerFields[.contentLength] = String(body.count)
        let sent = request.head.method == .head ? [] : body
        try await response.respond(head, body: sent)
        return (head.status.code, sent.count)
    }
}
