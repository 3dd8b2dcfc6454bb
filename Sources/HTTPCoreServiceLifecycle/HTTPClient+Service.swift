public import HTTPCoreClient
import HTTPCorePool
public import ServiceLifecycle

/// `HTTPClient` as a swift-service-lifecycle `Service`: the group owns the client's
/// shutdown, as an AsyncHTTPClient user lets a `ServiceGroup` own theirs.
///
/// `run()` waits for the group's graceful shutdown, then for the requests in flight (those
/// holding or waiting for a pooled connection; a request holds its connection until its
/// response body ends or is dropped) to finish, then calls `shutdown()`: the pool's
/// connections close and later requests fail with `.connectionUnavailable`. Cancellation
/// (before or during that wait) shuts the client down at once, cutting what is in flight.
///
/// The group shuts services down in reverse order: list the client before the services
/// that use it (a server whose handlers call out), so they have stopped sending when the
/// client waits. Requests made while it waits are still served, and wait in their turn;
/// the group's `maximumGracefulShutdownDuration` bounds that, through cancellation.
/// A client with a configured `transport` has no pool, and nothing to wait for.
extension HTTPClient: Service {
    public func run() async throws {
        do {
            try await gracefulShutdown()
            await pool?.requestsFinished()
        } catch {
            // Cancelled: no wait, the shutdown below closes the connections in use too.
        }
        await shutdown()
    }
}

extension ConnectionPool {
    /// Returns once no request holds or waits for a connection, the pool has shut down, or
    /// the task is cancelled. Wakes on the pool's own events (each release, each failed
    /// wait), never by polling: subscribed before the first look, so no release is missed.
    func requestsFinished() async {
        var changes = events(buffer: 1).makeAsyncIterator()
        while true {
            let now = snapshot
            if now.activeRequests == 0, now.queuedRequests == 0 { return }
            guard await changes.next() != nil else { return }
        }
    }
}
