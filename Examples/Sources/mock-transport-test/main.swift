import ExampleSupport
import HTTPCore
import HTTPCoreClient
import HTTPCoreMock

// How a unit test of code that uses HTTPClient runs with no sockets, two ways:
// (a) the mock backend plays the server byte for byte, so the test also checks what goes on
//     the wire (the request line, the fields, the JSON, connection reuse);
// (b) a ClosureTransport answers requests as values, for tests about what the code asks
//     for and how it reads the answer, not about bytes.
// Each check prints what it verified; the first mismatch is an error (exit 1). The optional
// URL is the origin the mock plays (plain HTTP/1.1 only: the script is cleartext bytes).
let arguments = ExampleArguments.parse(usage: "mock-transport-test [http://HOST[:PORT]]", defaultURL: "http://example.com", connectionOptions: false)

/// The code under test: what an application might have.
struct User: Codable, Equatable, Sendable {
    var id: Int
    var name: String
}

func createUser(named name: String, with client: HTTPClient) async throws -> User {
    try await client.post("/users", json: ["name": name]).raiseForStatus().json(as: User.self)
}

struct Mismatch: Error, CustomStringConvertible {
    var description: String
}

/// Prints `ok: what` when `actual` is `expected`, else throws the difference.
func expect<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
    guard actual == expected else { throw Mismatch(description: "\(what): expected \(expected), got \(actual)") }
    print("ok: \(what)")
}

await runExample {
    guard let origin = Origin(arguments.url), origin.scheme == "http" else {
        throw Mismatch(description: "the mock plays a plain http:// origin, not \(arguments.url)")
    }
    let base = "http://\(origin.authority)"

    // (a) The mock backend: one connection, two exchanges on it, every written byte checked.
    let backend = MockNetworkBackend()
    let fields = "Host: \(origin.authority)\r\nUser-Agent: \(HTTPClient.userAgent)\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"  // the client offers what it decodes
    backend.expectConnect(host: origin.host, port: origin.port, script: [
        .write("GET /users/1 HTTP/1.1\r\n\(fields)\r\n"),
        .read("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{\"id\":1,\"name\":\"Ada\"}\n"),
        .write("POST /users HTTP/1.1\r\n\(fields)Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"name\":\"Grace\"}"),
        .read("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{\"id\":2,\"name\":\"Grace\"}\n"),
    ])
    var configuration = HTTPClient.Configuration()
    configuration.baseURL = base
    configuration.backend = backend
    try await withHTTPClient(configuration) { client in
        try await expect(client.get("/users/1").json(as: User.self), User(id: 1, name: "Ada"), "mock backend: GET /users/1 decoded")
        try await expect(createUser(named: "Grace", with: client), User(id: 2, name: "Grace"), "mock backend: createUser POSTed JSON, got 201")
        try expect(client.connections.count, 1, "mock backend: one pooled connection: \(client.connections.joined())")
    }
    try expect(backend.failures, [], "mock backend: every byte written matched the script")
    try expect(backend.connectRecords.map { "\($0.host):\($0.port)" }, ["\(origin.host):\(origin.port)"], "mock backend: one connect, to \(origin.authority)")
    try expect(backend.unusedExpectations, 0, "mock backend: the whole script ran")

    // (b) A ClosureTransport: the test sees each request as a value and answers with one.
    let transport = ClosureTransport { request in
        var body: [UInt8] = []
        let chunks = request.body.makeChunkSource()
        while let chunk = try await chunks.next() { body += chunk }
        try expect(request.head.method.rawValue + " " + (request.head.path ?? ""), "POST /users", "transport: method and path")
        try expect(request.head.headerFields[.contentType], "application/json", "transport: Content-Type")
        try expect(String(decoding: body, as: UTF8.self), #"{"name":"Lin"}"#, "transport: JSON body")
        let answer = #"{"id":3,"name":"Lin"}"#
        return Response(
            head: .init(status: .created, headerFields: [.contentType: "application/json"]),
            body: ResponseBody(bytes: Array(answer.utf8)),
            version: .http1_1
        )
    }
    var closureConfiguration = HTTPClient.Configuration()
    closureConfiguration.baseURL = base
    closureConfiguration.transport = transport
    try await withHTTPClient(closureConfiguration) { client in
        try await expect(createUser(named: "Lin", with: client), User(id: 3, name: "Lin"), "transport: createUser decoded the 201")
        try expect(client.pool == nil, true, "transport: no pool, no backend, no socket")
    }
    print("mock-transport-test: all checks passed")
}
