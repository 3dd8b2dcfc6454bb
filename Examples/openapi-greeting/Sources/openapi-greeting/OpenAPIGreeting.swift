import Foundation
import HTTPCore
import HTTPCoreClient
import HTTPCoreLibUV
import HTTPCoreOpenAPI
import HTTPCoreServer
import OpenAPIRuntime

/// The greeting API end to end in one process: the generated server on `HTTPServer`
/// (127.0.0.1, a free port), called by the generated client on `HTTPClient`, first over
/// HTTP/2 (h2c, by prior knowledge), then over HTTP/1.1. Prints each call and its answer;
/// any answer other than the expected one prints `FAILED: ...` and exits 1.
@main
struct OpenAPIGreeting {
    enum Wire: CaseIterable {
        case h2c, http1

        var title: String { self == .h2c ? "HTTP/2 (h2c, prior knowledge)" : "HTTP/1.1" }
        /// How `HTTPClient.connections` names the protocol.
        var protocolName: String { self == .h2c ? "HTTP/2" : "HTTP/1.1" }
    }

    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    static func main() async {
        do {
            try await run()
            print("\nopenapi-greeting: all checks passed")
        } catch {
            print("FAILED: \(error)")
            exit(1)
        }
    }

    static func run() async throws {
        let backend = LibUVBackend()
        let transport = OpenAPIServerTransport()
        try GreetingService().registerHandlers(on: transport)
        let server = try await HTTPServer.start(backend: backend, transport.requestHandler)
        guard case .inet(let host, let port) = server.localAddress else { throw Mismatch(description: "the server has no TCP port") }
        print("server: GreetingService on http://\(host):\(port) (HTTPServer + OpenAPIServerTransport)")
        for wire in Wire.allCases {
            try await call(URL(string: "http://\(host):\(port)")!, over: wire, backend: backend)
        }
        await server.shutdown()
        await backend.shutdown()
    }

    /// Every operation once through the generated client, over `wire`.
    static func call(_ serverURL: URL, over wire: Wire, backend: LibUVBackend) async throws {
        print("\n== client: \(wire.title) (HTTPClient + OpenAPIClientTransport)")
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.http1 = wire == .http1
        configuration.http2 = wire == .h2c
        let httpClient = try HTTPClient(configuration: configuration)
        let client = Client(serverURL: serverURL, transport: OpenAPIClientTransport(client: httpClient))

        let greeting = try await client.getGreeting(query: .init(name: "Swift")).ok.body.json.message
        try check("GET /greet?name=Swift", greeting, "Hello, Swift!")
        let anonymous = try await client.getGreeting().ok.body.json.message
        try check("GET /greet", anonymous, "Hello, Stranger!")
        // Percent-encoded on the way out (the slash too), one path segment on the server.
        let byName = try await client.greetByName(path: .init(name: "Jürgen Müller/2")).ok.body.json.message
        try check("GET /greet/{name} with \"Jürgen Müller/2\"", byName, "Hello, Jürgen Müller/2!")

        try await echoInLockstep(client)

        // The pool's connections say which protocol carried the calls.
        let connections = httpClient.connections
        guard !connections.isEmpty, connections.allSatisfy({ $0.contains(", \(wire.protocolName), ") }) else {
            throw Mismatch(description: "expected \(wire.protocolName) connections, got \(connections)")
        }
        for line in connections { print("connection: \(line)") }
        await httpClient.shutdown()
    }

    /// POST /echo with a body fed one 16 KiB chunk at a time: each chunk must come back
    /// before the next is sent, which only works if neither transport collects a body.
    static func echoInLockstep(_ client: Client) async throws {
        let (chunks, feed) = AsyncStream.makeStream(of: ArraySlice<UInt8>.self)
        let response = try await client.echo(body: .binary(HTTPBody(chunks, length: .unknown)))
        var echoed = try response.ok.body.binary.makeAsyncIterator()
        let count = 16, size = 16 << 10
        var pieces = 0
        for index in 0..<count {
            let chunk = [UInt8](repeating: UInt8(index), count: size)
            feed.yield(chunk[...])
            var back: [UInt8] = []
            while back.count < size, let piece = try await echoed.next() {
                back += piece
                pieces += 1
            }
            guard back == chunk else { throw Mismatch(description: "POST /echo: chunk \(index) came back as \(back.count) other bytes") }
        }
        feed.finish()
        guard try await echoed.next() == nil else { throw Mismatch(description: "POST /echo: bytes after the last chunk") }
        print("POST /echo -> \(count) chunks of \(size) bytes streamed up, each echoed back (in \(pieces) pieces) before the next was sent")
    }

    static func check(_ call: String, _ answer: String, _ expected: String) throws {
        guard answer == expected else { throw Mismatch(description: "\(call): expected \(expected.debugDescription), got \(answer.debugDescription)") }
        print("\(call) -> \(answer.debugDescription)")
    }
}
