package import HTTPCore

/// One check's backend and the helpers every check uses (listen, connect, let time pass),
/// so a check reads the same on real sockets and on a scripted backend.
struct ConformanceFixture: Sendable {
    let subject: BackendConformance.Subject
    let backend: any NetworkBackend
    let check: BackendConformance.Check

    var clock: any HTTPClock { backend.clock }

    func listen() async throws -> (listener: any NetworkListener, port: Int) {
        let listener = try await backend.listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
        guard case .inet(_, let port) = listener.localAddress else { throw HTTPCoreError(.connectFailed, "no port") }
        return (listener, port)
    }

    func connect(port: Int, options: ConnectOptions = ConnectOptions()) async throws -> any NetworkStream {
        try await backend.connectTCP(host: "127.0.0.1", port: port, options: options)
    }

    /// Lets `duration` pass: by itself on real sockets; on a scripted backend, the clock
    /// moves once the code under test has armed `timers` timers.
    func letTimePass(_ duration: Duration, afterTimers timers: Int = 1) async throws {
        guard let scripting = subject.scripting else { return }
        try await scripting.waitForTimers(backend, timers)
        scripting.advanceClock(backend, duration)
    }

    /// Returns once a scripted backend has `count` timers armed; at once on real sockets.
    func waitForTimers(_ count: Int) async throws {
        try await subject.scripting?.waitForTimers(backend, count)
    }
}

/// Accepts streams and echoes each one until EOF (the project's tests use it too).
package func startEchoServer(_ listener: any NetworkListener) -> Task<Void, Never> {
    Task {
        await withTaskGroup(of: Void.self) { group in
            while let stream = try? await listener.accept() {
                group.addTask {
                    while let bytes = try? await stream.read(maxBytes: 256 * 1024) {
                        if (try? await stream.write(bytes)) == nil { break }
                    }
                    await stream.close(.graceful)
                }
            }
        }
    }
}

/// Reads until `count` bytes or EOF.
func readExactly(_ count: Int, from stream: any NetworkStream) async throws -> [UInt8] {
    var received: [UInt8] = []
    while received.count < count, let bytes = try await stream.read(maxBytes: count - received.count) { received += bytes }
    return received
}
