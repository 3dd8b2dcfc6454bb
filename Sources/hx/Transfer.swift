import HTTPCore
import HTTPCoreClient
import HXCore

/// One request through an `HTTPClient` (the code path users run), checked and ready: runs
/// it and writes the response where the options say. `--timeout` is the client's total
/// deadline, so it bounds the connect, TLS, the exchange and the body alike.
struct Transfer: Sendable {
    let spec: RequestSpec
    let settings: ConnectionSettings
    let backend: BackendChoice
    let output: String?
    let includeHead: Bool
    let verbose: Bool
    /// `--trace`: every trace event with its offset, on stderr.
    let traced: Bool
    let fail: Bool
    let timeLimit: Duration?
    let showsProgress: Bool
    let policies: ClientPolicies

    func run() async throws -> ExitStatus {
        let recorder = RequestTraceRecorder()
        let body = try spec.clientBody { () throws(HXFailure) in try StandardIO.readAll(0) }
        if verbose { Verbose.start(spec, backend: backend) }

        let network = backend.make(loops: 1)
        var configuration = settings.clientConfiguration(backend: network, total: timeLimit)
        try policies.apply(to: &configuration)
        do {
            let status = try await withHTTPClient(configuration) { client in
                defer { if let output = policies.cookieOutput, let jar = client.cookies { writeCookies(jar, to: output) } }
                return try await client.stream(
                    spec.httpMethod, spec.url.text, headers: spec.headers, body: body, cookies: policies.cookiePairs,
                    trace: verbose || traced ? recorder.trace : nil
                ) { response in
                    try await receive(response, body: body, recorder)
                }
            }
            await BackendChoice.shutDown(network)
            if traced { Verbose.trace(TransferTimeline(recorder.entries)) }
            return status
        } catch {
            await BackendChoice.shutDown(network)
            if traced { Verbose.trace(TransferTimeline(recorder.entries)) }
            if let error = error as? HXFailure { throw error }
            let failure = HTTPCoreError.from(error, default: .readFailed)
            if failure.code == .totalTimeout, let timeLimit {
                throw HXFailure(.timeout, "timeout(total): the transfer took longer than --timeout \(Units.duration(timeLimit))")
            }
            throw HXFailure(failure)
        }
    }

    /// `-c FILE`: the jar as curl writes it, whatever the transfer's outcome.
    private func writeCookies(_ jar: CookieJar, to path: String) {
        let now = SystemClock().now
        let text = NetscapeCookieFile.render(jar.cookies, unixNow: CookieJar.systemUnixTime()) { cookie in
            cookie.expires.map { now.duration(to: $0).components.seconds }
        }
        do {
            let sink = OutputSink(path: path)
            try sink.write(Array(text.utf8))
            try sink.finish()
        } catch {
            StandardIO.printError("hx: could not write the cookies to \(path): \(error)")
        }
    }

    private func receive(_ response: HTTPClient.StreamingResponse, body: HTTPClient.Body, _ recorder: RequestTraceRecorder) async throws -> ExitStatus {
        if verbose { Verbose.exchange(response, body: body, TransferTimeline(recorder.entries)) }
        let sink = OutputSink(path: output)
        if includeHead { try sink.write(Array((Head.lines(response.head, response.version).joined(separator: "\n") + "\n\n").utf8)) }
        if fail, response.statusCode >= 400 {
            throw HXFailure(.httpError, "the server returned HTTP \(response.statusCode) (--fail)")
        }
        let progress = showsProgress ? Progress(total: response.headers[.contentLength].flatMap { Int($0) }) : nil
        var received = 0
        do {
            for try await chunk in response.body {
                try sink.write(chunk)
                received += chunk.count
                progress?.add(chunk.count)
            }
        } catch {
            progress?.finish()  // the bar keeps its last figures and the shell prompt its line
            throw error
        }
        try sink.finish()
        progress?.finish()
        if verbose { Verbose.finish(TransferTimeline(recorder.entries), received: received) }
        return .success
    }
}
