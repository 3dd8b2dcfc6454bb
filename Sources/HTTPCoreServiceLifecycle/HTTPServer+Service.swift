public import HTTPCoreServer
public import ServiceLifecycle

/// `HTTPServer` as a swift-service-lifecycle `Service`: put a started server in a
/// `ServiceGroup` and the group's graceful shutdown (SIGTERM, with
/// `gracefulShutdownSignals: [.sigterm]`) drains it exactly as `shutdown()` does.
///
///     let server = try await HTTPServer.start(backend: backend) { request, response in ... }
///     print(server.localAddress)            // port 0 already resolved
///     let group = ServiceGroup(services: [client, server], gracefulShutdownSignals: [.sigterm], logger: logger)
///     try await group.run()
///
/// Why the conformance is on the started server, and `run()` neither binds nor accepts:
/// `HTTPServer.start` listens before it returns (the accept loop runs from then on), so a
/// bind failure is thrown where the server is made, not from inside the group, and the
/// port of `.tcp(port: 0)` is known before the group runs. What the group owns is the end
/// of the server's life, which is what Hummingbird's and AsyncHTTPClient's users hand to
/// it. So `run()`:
///
/// - waits for the group's graceful shutdown (`gracefulShutdown()`), then runs
///   `shutdown()`: stop accepting (a new connection is refused), GOAWAY over HTTP/2, close
///   idle HTTP/1.1 connections and each busy one after its response, let requests in
///   flight finish for up to `timeouts.shutdownGrace`, then close what is left; `run()`
///   returns when the last connection has ended, or the grace period's leftovers are closed;
/// - on cancellation (the group cancelled, a cancellation signal, the group's
///   `maximumGracefulShutdownDuration` passed) shuts down at once: cancelling the task
///   that runs `shutdown()` ends its grace period, so the requests still in flight are cut
///   and their connections closed before `run()` returns.
///
/// Order in the group: services shut down in reverse order, so list the client (and
/// whatever the handlers use) before the server; the server then drains while they are
/// still up. Shut a server in a group down through the group: one shut down directly
/// stops serving, but its `run()` still waits for the group.
extension HTTPServer: Service {
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled before any graceful shutdown: `shutdown()` below runs in the
            // cancelled task, so it skips the grace period and closes everything.
        }
        await shutdown()
    }
}
