import Foundation
import HTTPCore
import HTTPCoreClient
import HXCore
import Testing

/// Bodies from an argument, a file and stdin (a file given as stdin), as the request sends them.
@Suite struct BodyTests {
    static func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hx-body-\(UUID().uuidString)").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every byte the body would send.
    static func bytes(_ body: HTTPClient.Body) async throws -> [UInt8] {
        let source = try body.encoded().body.makeChunkSource()
        var bytes: [UInt8] = []
        while let chunk = try await source.next() { bytes += chunk }
        return bytes
    }

    static func noStdin() throws(HXFailure) -> [UInt8] { throw HXFailure(.usage, "stdin read") }

    @Test func argumentsAreTextFilesOrStdin() {
        #expect(BodyInput(argument: "a=1") == .text("a=1"))
        #expect(BodyInput(argument: "@data.json") == .file("data.json"))
        #expect(BodyInput(argument: "@-") == .stdin)
        #expect(BodyInput(argument: "") == .text(""))
    }

    @Test func jsonFromAnArgument() async throws {
        let spec = try #require(try BodySpec(data: nil, json: #"{"a":1}"#, form: []))
        #expect(try await Self.bytes(spec.makeBody(stdin: Self.noStdin)) == Array(#"{"a":1}"#.utf8))
        #expect(spec.impliedHeaders.map(\.0) == ["Content-Type", "Accept"])
        #expect(spec.impliedHeaders.allSatisfy { $0.1 == "application/json" })
    }

    @Test func aFileStreamsWithItsLength() async throws {
        let path = try Self.temporaryFile(String(repeating: "0123456789", count: 20_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try #require(try BodySpec(data: "@" + path, json: nil, form: []))
        let body = try spec.makeBody(stdin: Self.noStdin)
        #expect(try body.encoded().body.knownLength == 200_000)
        // Streamed in chunks, and replayable (a retried request reads the file again).
        #expect(try await Self.bytes(body).count == 200_000)
        #expect(try await Self.bytes(body) == Array(String(repeating: "0123456789", count: 20_000).utf8))
    }

    @Test func anEmptyFileIsAnEmptyBody() throws {
        let path = try Self.temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try #require(try BodySpec(data: "@" + path, json: nil, form: []))
        #expect(try spec.makeBody(stdin: Self.noStdin).encoded().body.isEmpty)
    }

    @Test func stdinFromAFile() async throws {
        let path = try Self.temporaryFile("from stdin\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var reads = 0
        let spec = try #require(try BodySpec(data: nil, json: "@-", form: []))
        let body = try spec.makeBody { () throws(HXFailure) in
            reads += 1
            return try StandardIO.readAll(fd)
        }
        #expect(reads == 1)
        #expect(try await Self.bytes(body) == Array("from stdin\n".utf8))
    }

    /// `-F` is multipart/form-data as in curl: text fields, a file part named after the
    /// file with a guessed type, stdin as a part named `-`.
    @Test func formFieldsAreMultipartPartsInOrder() async throws {
        let path = try Self.temporaryFile("file & value") + ".txt"
        try Data("file & value".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try #require(try BodySpec(data: nil, json: nil, form: ["name=J Doe", "f=@" + path, "s=@-", "e="]))
        #expect(spec.impliedHeaders.isEmpty)
        let (body, contentType) = try spec.makeBody { () throws(HXFailure) in Array("é/ü".utf8) }.encoded()
        let boundary = try #require(contentType?.split(separator: "=").last.map(String.init))
        #expect(contentType == "multipart/form-data; boundary=\(boundary)")
        let file = String(path.split(separator: "/").last!)
        let expected = "--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nJ Doe\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\(file)\"\r\nContent-Type: text/plain\r\n\r\nfile & value\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"s\"; filename=\"-\"\r\nContent-Type: application/octet-stream\r\n\r\né/ü\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n"
            + "--\(boundary)--\r\n"
        let source = body.makeChunkSource()
        var bytes: [UInt8] = []
        while let chunk = try await source.next() { bytes += chunk }
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(body.knownLength == bytes.count)
    }

    @Test func unreadableFilesFailAsUsage() {
        #expect(throws: HXFailure.self) { try BodySpec(data: "@/nonexistent", json: nil, form: []) }
        #expect(throws: HXFailure.self) { try BodySpec(data: "@/tmp", json: nil, form: []) }  // a directory
        #expect(throws: HXFailure.self) { try BodySpec(data: nil, json: nil, form: ["a=@/nonexistent"]) }
        do {
            _ = try BodySpec(data: "@/nonexistent", json: nil, form: [])
        } catch {
            #expect(error.status == .usage)
            #expect(error.message.contains("/nonexistent"))
        }
    }

    @Test func noBodyOptionsNoBody() throws {
        #expect(try BodySpec(data: nil, json: nil, form: []) == nil)
    }
}
