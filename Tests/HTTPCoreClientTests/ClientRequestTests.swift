import HTTPCore
import HTTPCoreClient
import HTTPTypes
import Testing

/// What the client puts on a request: URL joined to the base, query parameters, the
/// client's and the request's fields, bodies with their Content-Type, timeouts.
@Suite struct ClientRequestTests {
    @Test(arguments: [
        ("https://api.test/v1", "users", "/v1/users"),
        ("https://api.test/v1", "/users", "/v1/users"),
        ("https://api.test/v1/", "users?x=1", "/v1/users?x=1"),
        ("https://api.test/", "", "/"),
        ("https://api.test/v1?key=k", "", "/v1?key=k"),
        ("https://api.test", "a b/ü#frag", "/a%20b/%C3%BC"),
        ("https://api.test/v1", "http://other.test:8080/x?y", "/x?y"),
    ])
    func relativeURLsJoinTheBaseURLAsHttpxJoinsThem(_ base: String, _ url: String, _ target: String) async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client { $0.baseURL = base }
        _ = try await client.get(url)
        #expect(recorder.last?.head.path == target)
        if url.hasPrefix("http://") {
            #expect(recorder.last?.head.authority == "other.test:8080")
            #expect(recorder.last?.head.scheme == "http")
        } else {
            #expect(recorder.last?.head.authority == "api.test")
        }
    }

    @Test func queryParametersArePercentEncodedAndJoinTheURLsQuery() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        let response = try await client.get("http://example.com/search?lang=en", params: ["q": "a b&c=d", "emoji": "é", "crlf": "x\r\nHost: evil"])
        #expect(recorder.last?.head.path == "/search?lang=en&q=a%20b%26c%3Dd&emoji=%C3%A9&crlf=x%0D%0AHost%3A%20evil")
        #expect(response.url == "http://example.com/search?lang=en&q=a%20b%26c%3Dd&emoji=%C3%A9&crlf=x%0D%0AHost%3A%20evil")
    }

    @Test func requestFieldsReplaceTheClientsOfTheSameName() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client { $0.headers = [("User-Agent", "base"), ("X-Team", "a"), ("X-Team", "b"), ("Accept", "*/*")] }
        _ = try await client.get("http://example.com/", headers: ["x-team": "c", "X-Trace": "1"])
        #expect(recorder.last?.head.fieldLines == ["User-Agent: base", "Accept: */*", "x-team: c", "X-Trace: 1", "Accept-Encoding: gzip, deflate, br, zstd"])
    }

    @Test func theDefaultsAreHttpxs() throws {
        let configuration = HTTPClient.Configuration()
        #expect(configuration.timeouts == Timeouts(connect: .seconds(5), read: .seconds(5), write: .seconds(5), pool: .seconds(5), total: nil))
        #expect(configuration.maxConnections == 100)
        #expect(configuration.maxKeepaliveConnections == 20)
        #expect(configuration.keepaliveExpiry == .seconds(5))
        #expect(configuration.http1 && !configuration.http2)
    }

    @Test func perRequestTimeoutsReplaceTheClientsAndTheDeadlineIsFixedAtTheStart() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        _ = try await client.get("http://example.com/")
        #expect(recorder.last?.options.timeouts.read == .seconds(5))
        #expect(recorder.last?.options.deadline == nil)
        _ = try await client.get("http://example.com/", timeouts: Timeouts(read: .seconds(1), total: .seconds(9)))
        #expect(recorder.last?.options.timeouts.read == .seconds(1))
        #expect(recorder.last?.options.deadline != nil)
    }

    struct Login: Codable, Sendable, Equatable {
        var username: String
        var password: String
    }

    @Test func bodiesCarryTheirContentType() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        _ = try await client.post("http://example.com/", json: Login(username: "user", password: "pass"))
        #expect(String(decoding: recorder.last!.body, as: UTF8.self) == #"{"password":"pass","username":"user"}"#)
        #expect(recorder.last?.head.headerFields[.contentType] == "application/json")

        _ = try await client.post("http://example.com/", body: .json(text: "[1, 2]"))
        #expect(recorder.last?.body == Array("[1, 2]".utf8))
        #expect(recorder.last?.head.headerFields[.contentType] == "application/json")

        _ = try await client.post("http://example.com/", body: .form(["name": "J Doe", "tags": "a&b", "star": "*~"]))
        #expect(String(decoding: recorder.last!.body, as: UTF8.self) == "name=J+Doe&tags=a%26b&star=*%7E")
        #expect(recorder.last?.head.headerFields[.contentType] == "application/x-www-form-urlencoded")

        _ = try await client.put("http://example.com/", body: .string("plain"))
        #expect(recorder.last?.body == Array("plain".utf8))
        #expect(recorder.last?.head.headerFields[.contentType] == nil)
        #expect(recorder.last?.head.method == .put)

        // A Content-Type the caller gives wins.
        _ = try await client.patch("http://example.com/", headers: ["Content-Type": "application/merge-patch+json"], body: .json(text: "{}"))
        #expect(recorder.last?.head.headerFields[values: .contentType] == ["application/merge-patch+json"])
        #expect(recorder.last?.head.method == .patch)

        let chunks = AsyncStream<[UInt8]> { continuation in
            continuation.yield(Array("ab".utf8))
            continuation.yield(Array("cd".utf8))
            continuation.finish()
        }
        _ = try await client.post("http://example.com/", body: .stream(chunks))
        #expect(recorder.last?.body == Array("abcd".utf8))
    }

    @Test func everyMethodHelperSendsItsMethod() async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        _ = try await client.get("http://example.com/")
        _ = try await client.head("http://example.com/")
        _ = try await client.options("http://example.com/")
        _ = try await client.delete("http://example.com/")
        _ = try await client.post("http://example.com/")
        _ = try await client.request(HTTPRequest.Method("PURGE")!, "http://example.com/")
        #expect(recorder.requests.map(\.head.method.rawValue) == ["GET", "HEAD", "OPTIONS", "DELETE", "POST", "PURGE"])
    }

    // MARK: - Refused before anything is sent

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let send: @Sendable (HTTPClient) async throws -> Void
        var testDescription: String { name }
    }

    struct Unencodable: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            throw EncodingError.invalidValue(Double.nan, .init(codingPath: [], debugDescription: "NaN is not JSON"))
        }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "not a URL") { _ = try await $0.get("http://exa mple.com:port/") },
        Refusal(name: "unsupported scheme") { _ = try await $0.get("ftp://example.com/") },
        Refusal(name: "a space in the host") { _ = try await $0.get("http://exa mple.com/") },
        Refusal(name: "relative without a base") { _ = try await $0.get("/users") },
        Refusal(name: "CR LF in the URL") { _ = try await $0.get("http://example.com/\r\nHost: evil") },
        Refusal(name: "credentials in a bad URL") { _ = try await $0.get("http://user:secret@exa mple.com/") },
        Refusal(name: "CR LF in a field value") { _ = try await $0.get("http://example.com/", headers: ["X-A": "1\r\nX-Injected: 1"]) },
        Refusal(name: "NUL in a field value") { _ = try await $0.get("http://example.com/", headers: ["X-A": "1\u{0}"]) },
        Refusal(name: "a field name that is not a token") { _ = try await $0.get("http://example.com/", headers: ["X A": "1"]) },
        Refusal(name: "JSON that does not encode") { _ = try await $0.post("http://example.com/", json: Unencodable()) },
        Refusal(name: "a missing file") { _ = try await $0.post("http://example.com/", body: .file("/nonexistent/body.bin")) },
        Refusal(name: "a directory as file") { _ = try await $0.post("http://example.com/", body: .file("/tmp")) },
        Refusal(name: "a missing multipart file") {
            _ = try await $0.post("http://example.com/", body: .multipart(MultipartForm([.file(name: "f", path: "/nonexistent", filename: nil, contentType: nil)])))
        },
    ]

    @Test(arguments: refusals)
    func badInputIsATypedErrorAndNothingIsSent(_ refusal: Refusal) async throws {
        let recorder = RecordingTransport()
        let client = try recorder.client()
        let error = await #expect(throws: HTTPCoreError.self) { try await refusal.send(client) }
        #expect(error?.category == .protocol(.local))
        #expect(error?.isSafeToRetry == true)
        #expect(recorder.requests.isEmpty)
        if refusal.name == "credentials in a bad URL" { #expect(error?.detail.contains("secret") == false) }
        if refusal.name == "JSON that does not encode" { #expect(error?.underlying is EncodingError) }
    }

    @Test func aBadBaseURLOrDefaultFieldFailsTheClient() {
        #expect(throws: HTTPCoreError.self) {
            var configuration = HTTPClient.Configuration()
            configuration.baseURL = "api.test/v1"
            _ = try HTTPClient(configuration: configuration)
        }
        let secret = #expect(throws: HTTPCoreError.self) {
            var configuration = HTTPClient.Configuration()
            configuration.baseURL = "https://user:s3cret@api.test/v1"
            _ = try HTTPClient(configuration: configuration)
        }
        #expect(secret?.detail.contains("s3cret") == false)
        #expect(throws: HTTPCoreError.self) {
            var configuration = HTTPClient.Configuration()
            configuration.headers = [("X-A", "a\nb")]
            _ = try HTTPClient(configuration: configuration)
        }
    }
}
