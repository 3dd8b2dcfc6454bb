import HTTPCore
import HTTPTypes
import HXCore

/// `hx -v`: the connection, the heads and the timings on stderr, curl's way (`*` for
/// information, `>` sent, `<` received).
enum Verbose {
    static func start(_ spec: RequestSpec, backend: BackendChoice) {
        print("* \(spec.method) \(spec.url) (backend \(backend.rawValue))")
    }

    /// After the head arrived: how we connected, what we sent, what came back.
    static func exchange(_ request: Request, _ response: Response, _ timeline: TransferTimeline) {
        for line in timeline.connectionLines(version: response.version) { print(line) }
        print("> \(request.head.method.rawValue) \(request.head.path ?? "/") \(response.version)")
        print("> \(response.version == .http2 ? ":authority" : "Host"): \(request.head.authority ?? "")")
        for field in request.head.headerFields { print("> \(field.name.rawName): \(field.value)") }
        if let length = request.body.knownLength, length > 0 {
            print("* request body: \(length) bytes")
        } else if !request.body.isEmpty {
            print("* request body: streamed")
        }
        for line in Head.lines(response) { print("< " + line) }
    }

    static func finish(_ timeline: TransferTimeline, received: Int) {
        print(timeline.timingLine)
        print("* \(received) body bytes received")
    }

    private static func print(_ line: String) { StandardIO.printError(line) }
}

/// A response head as text: the status line, then one line per field.
enum Head {
    static func lines(_ response: Response) -> [String] {
        var status = "\(response.version) \(response.status.code)"
        if response.version != .http2, !response.status.reasonPhrase.isEmpty { status += " " + response.status.reasonPhrase }
        return [status] + response.head.headerFields.map { "\($0.name.rawName): \($0.value)" }
    }
}
