import HTTPCore
import HTTPCoreClient
import HXCore

/// `hx -v`: the connection, the heads and the timings on stderr, curl's way (`*` for
/// information, `>` sent, `<` received).
enum Verbose {
    static func start(_ spec: RequestSpec, backend: BackendChoice) {
        print("* \(spec.method) \(spec.url) (backend \(backend.rawValue))")
    }

    /// After the head arrived: how we connected, what we sent, what came back.
    static func exchange(_ response: HTTPClient.StreamingResponse, body: HTTPClient.Body, _ timeline: TransferTimeline) {
        let request = response.request
        for hop in response.history {
            print("* \(hop.request.method.rawValue) \(hop.url): \(hop.statusCode) \(hop.reasonPhrase), following Location: \(hop.headers[.location] ?? "")")
        }
        for line in timeline.connectionLines(version: response.version) { print(line) }
        print("> \(request.method.rawValue) \(request.path ?? "/") \(response.version)")
        print("> \(response.version == .http2 ? ":authority" : "Host"): \(request.authority ?? "")")
        for field in request.headerFields { print("> \(field.name.rawName): \(field.value)") }
        // The length as sent (encoding a body again only stats files, it reads none).
        let sent = try? body.encoded().body
        if let length = sent?.knownLength, length > 0 {
            print("* request body: \(length) bytes")
        } else if let sent, !sent.isEmpty {
            print("* request body: streamed")
        }
        for line in Head.lines(response.head, response.version) { print("< " + line) }
    }

    static func finish(_ timeline: TransferTimeline, received: Int) {
        print(timeline.timingLine)
        print("* \(received) body bytes received")
    }

    /// `--trace`: every event of the request, with its offset from the first.
    static func trace(_ timeline: TransferTimeline) {
        for line in timeline.traceLines { print(line) }
    }

    private static func print(_ line: String) { StandardIO.printError(line) }
}

/// A response head as text: the status line, then one line per field.
enum Head {
    static func lines(_ head: HTTPResponse, _ version: HTTPVersion) -> [String] {
        var status = "\(version) \(head.status.code)"
        if version != .http2, !head.status.reasonPhrase.isEmpty { status += " " + head.status.reasonPhrase }
        return [status] + head.headerFields.map { "\($0.name.rawName): \($0.value)" }
    }
}
