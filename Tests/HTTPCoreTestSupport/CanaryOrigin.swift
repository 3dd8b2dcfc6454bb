package import HTTPCore
package import HTTPCoreTLS

/// An origin that remembers every request head it receives, to prove what did (and did
/// not) reach it through a proxy: HTTP/1.1 on 127.0.0.1 over any backend, with TLS (ALPN
/// `http/1.1`) when given a server context. It answers every request (GET, no body) with
/// 200 and the request target as the body, and keeps the connection unless the request
/// says `Connection: close` (as tinyproxy's forwarded requests do).
package final class CanaryOrigin: Sendable {
    package let port: Int
    private let listener: any NetworkListener
    private let server: Task<Void, Never>
    private let recorded = Locked((heads: [String](), connections: 0))

    package init(backend: any NetworkBackend, tls: TLSContext? = nil) async throws {
        listener = try await backend.listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
        guard case .inet(_, let port) = listener.localAddress else { throw HarnessError("the canary has no port") }
        self.port = port
        let listener = self.listener
        let recorded = self.recorded
        let clock = backend.clock
        server = Task {
            await withTaskGroup(of: Void.self) { group in
                while let accepted = try? await listener.accept() {
                    group.addTask {
                        let stream: any NetworkStream
                        if let tls {
                            guard let secured = try? await TLSStream.accept(over: accepted, context: tls, clock: clock) else { return }
                            stream = secured
                        } else {
                            stream = accepted
                        }
                        recorded.withLock { $0.connections += 1 }
                        await Self.serve(stream, recorded)
                    }
                }
            }
        }
    }

    private static func serve(_ stream: any NetworkStream, _ recorded: Locked<(heads: [String], connections: Int)>) async {
        var buffer: [UInt8] = []
        let end = Array("\r\n\r\n".utf8)
        while let bytes = try? await stream.read(maxBytes: 64 * 1024) {
            buffer += bytes
            while let range = buffer.firstRange(of: end) {
                let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<range.upperBound)
                recorded.withLock { $0.heads.append(head) }
                let target = head.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
                let close = head.lowercased().contains("\r\nconnection: close")
                let response = "HTTP/1.1 200 OK\r\nContent-Length: \(target.utf8.count)\r\n\(close ? "Connection: close\r\n" : "")\r\n\(target)"
                guard (try? await stream.write(Array(response.utf8))) != nil, !close else {
                    await stream.close(.graceful)
                    return
                }
            }
        }
        await stream.close(.graceful)
    }

    /// Every request head received, as text (request line and fields, no final CRLF CRLF).
    package var requestHeads: [String] { recorded.withLock { $0.heads } }

    /// Connections accepted (after the TLS handshake, with TLS).
    package var connections: Int { recorded.withLock { $0.connections } }

    /// The heads that contain any of `secrets`, compared case-insensitively.
    package func heads(containingAnyOf secrets: [String]) -> [String] {
        requestHeads.filter { head in secrets.contains { head.lowercased().contains($0.lowercased()) } }
    }

    package func stop() async {
        await listener.close()
        server.cancel()
        await server.value
    }
}
