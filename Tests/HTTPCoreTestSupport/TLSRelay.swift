package import HTTPCore
package import HTTPCoreTLS

/// A TLS front for a cleartext TCP server, to make an HTTPS proxy out of tinyproxy: it
/// accepts TLS on 127.0.0.1 (with `tls`, a server context) and relays the plaintext both
/// ways to `127.0.0.1:targetPort`, closing both sides when either ends.
package final class TLSRelay: Sendable {
    package let port: Int
    private let listener: any NetworkListener
    private let server: Task<Void, Never>
    private let accepted = Locked(0)

    package init(backend: any NetworkBackend, tls: TLSContext, targetPort: Int) async throws {
        listener = try await backend.listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
        guard case .inet(_, let port) = listener.localAddress else { throw HarnessError("the relay has no port") }
        self.port = port
        let listener = self.listener
        let accepted = self.accepted
        server = Task {
            await withTaskGroup(of: Void.self) { group in
                while let socket = try? await listener.accept() {
                    group.addTask {
                        guard let front = try? await TLSStream.accept(over: socket, context: tls, clock: backend.clock) else { return }
                        accepted.withLock { $0 += 1 }
                        guard let back = try? await backend.connectTCP(host: "127.0.0.1", port: targetPort, options: ConnectOptions()) else {
                            await front.close(.abortive)
                            return
                        }
                        await withTaskGroup(of: Void.self) { pair in
                            pair.addTask { await Self.pump(from: front, to: back) }
                            pair.addTask { await Self.pump(from: back, to: front) }
                        }
                    }
                }
            }
        }
    }

    private static func pump(from source: any NetworkStream, to sink: any NetworkStream) async {
        while let bytes = try? await source.read(maxBytes: 64 * 1024) {
            if (try? await sink.write(bytes)) == nil { break }
        }
        await sink.close(.graceful)
        await source.close(.graceful)
    }

    /// TLS connections completed.
    package var connections: Int { accepted.withLock { $0 } }

    package func stop() async {
        await listener.close()
        server.cancel()
        await server.value
    }
}
