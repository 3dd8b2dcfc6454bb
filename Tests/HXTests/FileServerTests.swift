import Foundation
import HTTPCore
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import HXCore
import Testing

/// A folder served by `FileServer` on `HTTPServer` over the mock backend, with files, a
/// subfolder and symlinks, next to a "secret" outside it; and our pool as the client.
final class ServedFolder: Sendable {
    let outside: String
    let root: String
    let backend = MockNetworkBackend()
    let server: HTTPServer
    let port: Int

    init(files: [String: [UInt8]] = [:]) async throws {
        outside = FileManager.default.temporaryDirectory.appendingPathComponent("hx-serve-\(UUID().uuidString)").path
        root = outside + "/www"
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: outside + "/private", withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: outside + "/secret"))
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: outside + "/private/secret"))
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: root + "/hello.txt"))
        for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + name)) }
        try manager.createSymbolicLink(atPath: root + "/leak.txt", withDestinationPath: outside + "/secret")
        try manager.createSymbolicLink(atPath: root + "/private", withDestinationPath: outside + "/private")
        try manager.createSymbolicLink(atPath: root + "/alias.txt", withDestinationPath: "hello.txt")
        let files = FileServer(root: try DocumentRoot(root))
        server = try await HTTPServer.start(backend: backend, configuration: .init(), handler: .requests(files.handle))
        guard case .inet(_, let port) = server.localAddress else { throw HTTPCoreError(.connectFailed, "no TCP address") }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func pool(http2: Bool) throws -> ConnectionPool {
        var configuration = ConnectionPool.Configuration()
        configuration.http1 = !http2
        configuration.http2 = http2
        return try ConnectionPool(backend: backend, configuration: configuration)
    }

    /// One raw HTTP/1.1 exchange (the request as given, `Connection: close` added): the
    /// server's bytes, for targets a client would normalise and for the wire's framing.
    func raw(_ head: String, body: String = "") async throws -> String {
        let stream = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
        try await stream.write(Array("\(head)\r\nHost: a\r\nConnection: close\r\n\r\n\(body)".utf8))
        var bytes: [UInt8] = []
        while let chunk = try await stream.read(maxBytes: 1 << 16, deadline: nil) { bytes += chunk }
        return String(decoding: bytes, as: UTF8.self)
    }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(atPath: outside)
    }

    func modified(_ name: String) throws -> String {
        let date = try FileManager.default.attributesOfItem(atPath: root + "/" + name)[.modificationDate] as! Date
        return HTTPDate.format(secondsSince1970: Int(date.timeIntervalSince1970))
    }
}

@Suite struct FileServerTests {
    @Test(arguments: [false, true])
    func getSendsTheFileWithLengthDateAndType(http2: Bool) async throws {
        let folder = try await ServedFolder()
        let pool = try folder.pool(http2: http2)
        for path in ["/hello.txt", "/alias.txt", "/hello.txt?query=ignored"] {
            let response = try await pool.send(try Request(url: folder.url + path))
            #expect(response.version == (http2 ? .http2 : .http1_1))
            #expect(response.status == .ok)
            #expect(response.head.headerFields[.contentLength] == "6")
            #expect(response.head.headerFields[.contentType] == "text/plain; charset=utf-8")
            #expect(response.head.headerFields[.lastModified] == (try folder.modified("hello.txt")))
            #expect(try await response.body.collect(upTo: 1 << 20) == Array("hello\n".utf8))
        }
        await pool.shutdown()
        await folder.stop()
    }

    @Test(arguments: [false, true])
    func headSendsTheHeadOnly(http2: Bool) async throws {
        let folder = try await ServedFolder()
        let pool = try folder.pool(http2: http2)
        let response = try await pool.send(try Request(method: "HEAD", url: folder.url + "/hello.txt"))
        #expect(response.status == .ok)
        #expect(response.head.headerFields[.contentLength] == "6")
        #expect(response.head.headerFields[.lastModified] != nil)
        #expect(try await response.body.collect(upTo: 1 << 20).isEmpty)
        await pool.shutdown()
        let wire = try await folder.raw("HEAD /hello.txt HTTP/1.1")
        #expect(wire.contains("\r\nContent-Length: 6\r\n") && wire.hasSuffix("\r\n\r\n"), "\(wire)")
        await folder.stop()
    }

    /// Missing files and every way out of the folder get the same 404 (what lies outside
    /// cannot be probed); targets sent raw, as a client that normalises paths never would.
    @Test(arguments: [
        "/missing.txt", "/../secret", "/sub/../../secret", "/%2e%2e/secret", "/%2E%2E/secret", "/sub/..%2f..%2fsecret",
        "/.%2e/secret", "/leak.txt", "/private/secret", "/private/", "/hello.txt%00.png",
    ])
    func missingFilesAndWaysOutAre404(target: String) async throws {
        let folder = try await ServedFolder()
        let wire = try await folder.raw("GET \(target) HTTP/1.1")
        #expect(wire.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(target): \(wire)")
        #expect(!wire.contains("secret"))
        await folder.stop()
    }

    @Test func foldersRedirectToTheirSlashThenListOrServeTheirIndex() async throws {
        let folder = try await ServedFolder(files: ["a <&> b.txt": [1]])
        let redirect = try await folder.raw("GET /sub HTTP/1.1")
        #expect(redirect.hasPrefix("HTTP/1.1 301 Moved Permanently\r\n") && redirect.contains("Location: /sub/\r\n"), "\(redirect)")
        let listing = try await folder.raw("GET / HTTP/1.1")
        #expect(listing.contains("Content-Type: text/html; charset=utf-8"))
        for item in ["<a href=\"hello.txt\">hello.txt</a>", "<a href=\"sub/\">sub/</a>", "<a href=\"a%20%3C%26%3E%20b.txt\">a &lt;&amp;&gt; b.txt</a>"] {
            #expect(listing.contains(item), "\(item) in \(listing)")
        }
        try Data("<p>index</p>".utf8).write(to: URL(fileURLWithPath: folder.root + "/sub/index.html"))
        let index = try await folder.raw("GET /sub/ HTTP/1.1")
        #expect(index.hasPrefix("HTTP/1.1 200 OK\r\n") && index.hasSuffix("\r\n\r\n<p>index</p>"), "\(index)")
        await folder.stop()
    }

    @Test func otherMethodsAre405WithAllow() async throws {
        let folder = try await ServedFolder()
        let put = try await folder.raw("PUT /hello.txt HTTP/1.1\r\nContent-Length: 1", body: "x")
        #expect(put.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && put.contains("Allow: GET, HEAD\r\n"), "\(put)")
        let delete = try await folder.raw("DELETE /echo HTTP/1.1")
        #expect(delete.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && delete.contains("Allow: GET, POST\r\n"), "\(delete)")
        await folder.stop()
    }

    /// Each chunk comes back before the next is sent (full duplex), then the request's
    /// trailers with the byte count.
    @Test(arguments: [false, true])
    func echoStreamsTheBodyBackWithTheTrailers(http2: Bool) async throws {
        let folder = try await ServedFolder()
        let pool = try folder.pool(http2: http2)
        let (chunks, feed) = AsyncStream.makeStream(of: [UInt8].self)
        var body = RequestBody.stream(chunks)
        body.trailers = [HTTPField.Name("x-checksum")!: "abc123"]
        let response = try await pool.send(try Request(method: "POST", url: folder.url + "/echo", body: body))
        #expect(response.status == .ok)
        #expect(response.head.headerFields[.contentType] == "application/octet-stream")
        var echoed = response.body.makeAsyncIterator()
        var total = 0
        for index in 0..<4 {
            let chunk = Array("chunk \(index);".utf8)
            feed.yield(chunk)
            #expect(try await echoed.next() == chunk)
            total += chunk.count
        }
        feed.finish()
        #expect(try await echoed.next() == nil)
        #expect(response.body.trailers?[HTTPField.Name("x-checksum")!] == "abc123")
        #expect(response.body.trailers?[HTTPField.Name("x-echo-bytes")!] == String(total))
        await pool.shutdown()
        await folder.stop()
    }

    @Test func echoOverTheHTTP1WireIsChunkedWithTrailers() async throws {
        let folder = try await ServedFolder()
        let wire = try await folder.raw(
            "POST /echo HTTP/1.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked",
            body: "5\r\nhello\r\n0\r\nx-checksum: abc\r\n\r\n"
        )
        #expect(wire.hasPrefix("HTTP/1.1 200 OK\r\n") && wire.contains("Content-Type: text/plain\r\n"), "\(wire)")
        #expect(wire.contains("Transfer-Encoding: chunked\r\n"), "\(wire)")
        #expect(wire.hasSuffix("\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc\r\nx-echo-bytes: 5\r\n\r\n"), "\(wire)")
        await folder.stop()
    }

    @Test(arguments: [false, true])
    func aLargeFileArrivesIntact(http2: Bool) async throws {
        let file = payloadFile(size: (5 << 20) + 123)
        let folder = try await ServedFolder(files: ["large.bin": file])
        let pool = try folder.pool(http2: http2)
        let response = try await pool.send(try Request(url: folder.url + "/large.bin"))
        #expect(response.head.headerFields[.contentLength] == String(file.count))
        #expect(response.head.headerFields[.contentType] == "application/octet-stream")
        var received = Checksum()
        var pieces = 0
        for try await piece in response.body {
            received.add(piece)
            pieces += 1
        }
        var expected = Checksum()
        expected.add(file)
        #expect(received == expected)
        #expect(pieces > 1, "streamed in pieces, not whole")
        await pool.shutdown()
        await folder.stop()
    }

    @Test func documentRootResolvesInsideOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hx-root-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/a b", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: folder + "/a b/c.txt"))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = try DocumentRoot(folder)
        #expect(root.resolve("/a%20b/c.txt") == .file(root.path + "/a b/c.txt"))
        #expect(root.resolve("/./a%20b/./c.txt?x=..") == .file(root.path + "/a b/c.txt"))
        #expect(root.resolve("/a%20b") == .redirect(location: "/a%20b/"))
        #expect(root.resolve("/a%20b/") == .directory(root.path + "/a b"))
        #expect(root.resolve("/") == .directory(root.path))
        for target in ["*", "a b/c.txt", "/a%20b/../a%20b/c.txt", "/a%2fb", "/%", "/%2", "/%ff"] {
            #expect(root.resolve(target) == .notFound, "\(target)")
        }
        #expect(throws: HXFailure.self) { try DocumentRoot(folder + "/a b/c.txt") }
    }

    @Test func httpDatesAndMediaTypes() {
        #expect(HTTPDate.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(MediaType.forPath("/a/index.HTML") == "text/html; charset=utf-8")
        #expect(MediaType.forPath("x.tar.gz") == "application/gzip")
        #expect(MediaType.forPath("/.hidden") == "application/octet-stream")
        #expect(MediaType.forPath("/noextension") == "application/octet-stream")
    }
}
