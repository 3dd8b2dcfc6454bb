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
    let fail: Bool
    let timeLimit: Duration?
    let showsProgress: Bool
    let redirects: RedirectPolicy

    func run() async throws -> ExitStatus {
        let recorder = TimelineRecorder()
        let body = try spec.clientBody { () throws(HXFailure) in try StandardIO.readAll(0) }
        if verbose { Verbose.start(spec, backend: backend) }

        let network = backend.make(loops: 1)
        var configuration = settings.clientConfiguration(backend: network, total: timeLimit)
        configuration.redirects = redirects
        do {
            let status = try await withHTTPClient(configuration) { client in
                try await client.stream(
                    spec.httpMethod, spec.url.text, headers: spec.headers, body: body, trace: verbose ? recorder.trace : nil
                ) { response in
                    try await receive(response, body: body, recorder)
                }
            }
            await BackendChoice.shutDown(network)
            return status
        } catch {
            await BackendChoice.shutDown(network)
            if let error = error as? HXFailure { throw error }
            let failure = HTTPCoreError.from(error, default: .readFailed)
            if failure.code == .totalTimeout, let timeLimit {
                throw HXFailure(.timeout, "timeout(total): the transfer took longer than --timeout \(Units.duration(timeLimit))")
            }
            throw HXFailure(failure)
        }
    }

    private func receive(_ response: HTTPClient.StreamingResponse, body: HTTPClient.Body, _ recorder: TimelineRecorder) async throws -> ExitStatus {
        recorder.markFirstByte()
        if verbose { Verbose.exchange(response, body: body, recorder.timeline) }
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
        recorder.markDone()
        if verbose { Verbose.finish(recorder.timeline, received: received) }
        return .success
    }
}
