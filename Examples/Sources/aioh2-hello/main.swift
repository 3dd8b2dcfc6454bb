import ExampleSupport
import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreLibUV
import HTTPCoreServer
import HTTPTypes

// aioh2's README example (decentfox/aioh2, examples/core.py) in one process: a server
// saying hello on a free port of 127.0.0.1 with at most 3 requests at once, and an h2c
// client (HTTP/2 by prior knowledge) sending its name "world" as the request body.
//
// The printed lines follow the Python example's `print`s, with plain text where Python
// would show a repr:
//   print('Round-trip time: %.1fms' % (rtt * 1000))  ->  Round-trip time: 0.123ms
//       (three decimals where Python prints one: a loopback round trip is about a millisecond or less)
//   print('Response headers:', headers)  ->  Response headers: :status: 200
//   print('Response body:', resp)         ->  Response body: hello, world     (not b'...')
//   print('Response trailers:', trailers) ->  Response trailers: len: 5
// Fields are `name: value`, separated by ", " when there are several.
await runExample {
    // One libuv loop serves both ends.
    let backend = LibUVBackend(loopCount: 1)

    // aioh2.start_server(on_connected, port=0, concurrency=3). The limit is told to HTTP/2
    // clients as SETTINGS_MAX_CONCURRENT_STREAMS, as aioh2 does.
    var configuration = HTTPServer.Configuration(address: .tcp(host: "127.0.0.1", port: 0))
    configuration.concurrency = 3
    let server = try await HTTPServer.start(backend: backend, configuration: configuration, handler: .connections { connection in
        // on_connected: the connection's requests, one after another, until the client leaves.
        while let (stream, _) = try await connection.receiveRequest() {
            try await connection.startResponse(HTTPResponse(status: .ok), on: stream, endStream: false)
            // The head and "hello, " go before the body is read: the client's name may
            // still be on its way.
            try await connection.sendData(Array("hello, ".utf8), on: stream, endStream: false)
            // read_stream(stream_id, -1): maxBytes nil reads the body to its end.
            let name = try await connection.readStream(stream, maxBytes: nil)
            try await connection.sendData(name, on: stream, endStream: false)
            // The trailers end the response.
            try await connection.sendTrailers([HTTPField.Name("len")!: String(name.count)], on: stream)
        }
    })
    guard case .inet(_, let port) = server.localAddress else {
        throw HTTPCoreError(.connectFailed, "the server has no TCP address: \(server.localAddress)")
    }

    // aioh2.open_connection('0.0.0.0', port, functional_timeout=0.1)
    let socket = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
    var http2 = HTTP2Connection.Configuration()
    http2.functionalTimeout = .milliseconds(100)
    // The connection carries requests for this origin only: the request's authority below
    // must name it, port included.
    let origin = Origin(scheme: "http", host: "localhost", port: port)
    let client = try await HTTP2Connection.start(over: socket, origin: origin, clock: backend.clock, configuration: http2)

    // As in aioh2's example, the client is busy for 0.1 s first: the server has then been
    // silent for the whole functional timeout, so waitFunctional() measures a PING's round
    // trip instead of answering with the SETTINGS acknowledgement's. Where aioh2 returns
    // None, this throws (the connection failed or the PING went unanswered).
    try await Task.sleep(for: .milliseconds(100))
    let roundTrip = try await client.waitFunctional()
    print("Round-trip time: \(milliseconds(roundTrip))ms")

    let id = try await client.startRequest(HTTPRequest(method: .get, scheme: origin.scheme, authority: origin.authority, path: "/index.html"))
    // My name "world" as the whole request body.
    try await client.sendData(Array("world".utf8), on: id, endStream: true)

    let head = try await client.receiveResponse(on: id)
    print("Response headers: \(fieldList([(":status", String(head.status.code))] + head.headerFields.map { ($0.name.rawName, $0.value) }))")
    // read_stream(stream_id, -1): the whole body.
    let body = try await client.readStream(id, maxBytes: nil)
    print("Response body: \(String(decoding: body, as: UTF8.self))")
    let trailers = try await client.receiveTrailers(on: id)
    print("Response trailers: \(fieldList(trailers.map { ($0.name.rawName, $0.value) }))")

    await client.close()
    await server.shutdown()
    await backend.shutdown()
}

/// `name: value` pairs on one line, the way the example prints a header list.
func fieldList(_ fields: [(name: String, value: String)]) -> String {
    fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
}
