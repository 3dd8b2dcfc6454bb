import HTTPCore
import HTTPCorePool
import HTTPTypes
import HXCore

/// One request through a `ConnectionPool`, checked and ready: runs it and writes the
/// response where the options say.
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

    func run() async throws -> ExitStatus {
        var options = RequestOptions()
        // The pool's connect timeout bounds the wait for a connection; --timeout the rest.
        options.timeouts.pool = nil
        let recorder = TimelineRecorder()
        if verbose { options.trace = recorder.trace }
        let request = try spec.makeRequest(options: options) { () throws(HXFailure) in try StandardIO.readAll(0) }
        if verbose { Verbose.start(spec, backend: backend) }

        let network = backend.make(loops: 1)
        let configuration = settings.poolConfiguration()
        do {
            let status = try await withTimeLimit(timeLimit) {
                try await withConnectionPool(backend: network, configuration: configuration) { pool in
                    try await exchange(request, on: pool, recorder)
                }
            }
            await BackendChoice.shutDown(network)
            return status
        } catch {
            await BackendChoice.shutDown(network)
            if let error = error as? HXFailure { throw error }
            throw HXFailure(HTTPCoreError.from(error, default: .readFailed))
        }
    }

    private func exchange(_ request: Request, on pool: ConnectionPool, _ recorder: TimelineRecorder) async throws -> ExitStatus {
        let response = try await pool.send(request)
        recorder.markFirstByte()
        if verbose { Verbose.exchange(request, response, recorder.timeline) }
        let sink = OutputSink(path: output)
        if includeHead { try sink.write(Array((Head.lines(response).joined(separator: "\n") + "\n\n").utf8)) }
        if fail, response.status.code >= 400 {
            throw HXFailure(.httpError, "the server returned HTTP \(response.status.code) (--fail)")
        }
        let progress = showsProgress ? Progress(total: response.head.headerFields[.contentLength].flatMap { Int($0) }) : nil
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
