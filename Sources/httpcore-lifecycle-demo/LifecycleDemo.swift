import HTTPCore
import HTTPCoreLibUV
import HTTPCoreServer
import HTTPCoreServiceLifecycle
import HTTPTypes
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// A server in a `ServiceGroup` that shuts down gracefully on SIGTERM: what
/// HTTPCoreServiceLifecycleTests starts as a child process to send it the real signal.
///
/// Serves on 127.0.0.1, port 0, and prints `listening on 127.0.0.1:PORT` once it accepts.
/// `GET /slow` streams `SlowBody.chunks` chunks, `SlowBody.interval` apart, so a SIGTERM
/// can land mid-response. After the group has drained the server it prints
/// `drained connections=N ended=END:COUNT,...` and exits 0; on a failure, 1.
@main
struct LifecycleDemo {
    static func main() async {
        SignalMask.unblockTermination()
        let backend = LibUVBackend()
        do {
            let server = try await HTTPServer.start(backend: backend, SlowBody.handle)
            guard case .inet(_, let port) = server.localAddress else { throw DemoFailure("not listening on TCP") }
            say("listening on 127.0.0.1:\(port)")
            let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: Logger(label: "httpcore-lifecycle-demo"))
            try await group.run()
            let ended = server.statistics.connectionsEnded.map { "\($0.key):\($0.value)" }.sorted().joined(separator: ",")
            say("drained connections=\(server.connectionCount) ended=\(ended)")
            await backend.shutdown()
        } catch {
            say("failed: \(error)")
            await backend.shutdown()
            exit(1)
        }
    }

    /// A line on standard output, flushed at once: the test reads it through a pipe.
    static func say(_ line: String) {
        print(line)
        fflush(nil) // every stream: `stdout` itself is a global Swift 6 will not touch
    }
}

struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
