import ExampleSupport
import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreLibUV
import HTTPCoreTLS
import HTTPTypes

// aioh2's stream API: one HTTP/2 stream driven by hand, below the client and its pool.
// Meant for an echo peer (one that answers at once, sends each DATA frame back as it
// arrives and ends with a trailer, like Interop/peers/h2_echo_server.py): it sends "hello"
// and, 100 ms later, "world" as two DATA frames while reading the echo as it comes back,
// so the request and the response stream at the same time. Then it prints the response
// head, the body, the trailers and the round-trip time of `waitFunctional()`.
// http:// speaks HTTP/2 by prior knowledge; https:// negotiates h2 by ALPN.
let arguments = ExampleArguments.parse(usage: "h2-streams URL [--cacert FILE]")

await runExample {
    guard let origin = Origin(arguments.url), origin.scheme == "http" || origin.isSecure else {
        throw HTTPCoreError(.invalidRequest, "not an http:// or https:// URL: \(arguments.url)")
    }
    // The path is what follows the authority ("/" when there is none).
    let afterScheme = arguments.url.split(separator: "://", maxSplits: 1)[1]
    let path = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"

    // One libuv loop is plenty for one connection.
    let backend = LibUVBackend(loopCount: 1)
    var stream = try await backend.connectTCP(host: origin.host, port: origin.port, options: ConnectOptions())
    if origin.isSecure {
        // --cacert trusts only that CA (a private PKI); otherwise the system's store.
        let trustRoots: [TLSConfiguration.TrustRoot] = arguments.caFile.map { [.file($0)] } ?? [.system]
        let context = try TLSContext(.client(trustRoots: trustRoots, applicationProtocols: ["h2"]))
        let tls = try await TLSStream.connect(over: stream, host: origin.host, port: origin.port, context: context, clock: backend.clock)
        guard tls.info.alpn == "h2" else { throw HTTPCoreError(.connectFailed, "the server did not choose h2 by ALPN") }
        stream = tls
    }
    let connection = try await HTTP2Connection.start(over: stream, origin: origin, clock: backend.clock)

    // Opening the stream sends the head; the body follows in pieces.
    let id = try await connection.startRequest(HTTPRequest(method: .post, scheme: origin.scheme, authority: origin.authority, path: path))
    // The upload runs beside the reads below: neither waits for the other to finish.
    async let upload: Void = {
        try await connection.sendData(Array("hello".utf8), on: id)
        try await Task.sleep(for: .milliseconds(100))
        try await connection.sendData(Array("world".utf8), on: id, endStream: true)
    }()

    let head = try await connection.receiveResponse(on: id)
    print("HTTP/2 \(head.status.code)")
    for field in head.headerFields {
        print("\(field.name): \(field.value)")
    }
    print()
    // Each readStream returns what has arrived so far; an empty piece is the end.
    var body: [UInt8] = []
    while true {
        let piece = try await connection.readStream(id, maxBytes: 64 << 10)
        if piece.isEmpty { break }
        body += piece
    }
    try await upload
    print(String(decoding: body, as: UTF8.self))
    print()
    for field in try await connection.receiveTrailers(on: id) {
        print("\(field.name): \(field.value)")
    }

    // Answered at once when the peer was heard from recently (here: the SETTINGS
    // acknowledgement's round trip); otherwise a PING measures it.
    let roundTrip = try await connection.waitFunctional()
    print("rtt: \(milliseconds(roundTrip)) ms")

    await connection.close()
    await backend.shutdown()
}
