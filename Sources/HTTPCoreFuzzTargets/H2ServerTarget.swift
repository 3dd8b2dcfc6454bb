import HTTPCore
@testable import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPTypes

/// The HTTP/2 glue in the server role: an `HTTP2Connection` accepted over the mock
/// backend's in-memory pair reads what the fuzzer wrote as the client, after the client
/// connection preface and an empty SETTINGS frame the harness writes first, and answers
/// every request it is handed (the body read to its end, then 200 with a short body).
/// Then the client closes. Every call ends in success or an `HTTPCoreError`, nothing
/// hangs, and once the connection is closed it tracks no stream and is freed.
///
/// Input: byte 0 seeds the split of the client's bytes; byte 1 bit 0: send them in one
/// write; the rest is the client's bytes after its preface and SETTINGS.
enum H2ServerTarget {
    static let origin = Origin(scheme: "http", host: "example.com", port: 80)
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + H2ClientTarget.settings

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let choice = input.byte()
        let payload = input.rest()
        let pieces = choice & 1 != 0 ? [preface + payload] : [preface] + FuzzInput.pieces(payload, seed: seed, maxPiece: 64)
        AsyncHarness.runBlocking { await exchange(clientSends: pieces) }
    }

    static func exchange(clientSends pieces: [[UInt8]]) async {
        let released = await converse(clientSends: pieces)
        await AsyncHarness.settle("server: the connection was not freed after close (a retain cycle, or a task that never ends)") {
            released.connection == nil
        }
    }

    static func converse(clientSends pieces: [[UInt8]]) async -> AsyncHarness.WeakConnection {
        let clock = ManualClock()
        let pipes = MockStreamPair.make(clock: clock)
        let connection: HTTP2Connection
        do {
            connection = try await HTTP2Connection.accept(over: pipes.server, origin: origin, clock: clock)
        } catch {
            preconditionFailure("the server connection did not start: \(error)")
        }
        let serving = Task {
            await withTaskGroup(of: Void.self) { group in
                do {
                    while let (id, head) = try await connection.receiveRequest() {
                        FuzzCheck.that(head.method.rawValue.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "method \(head.method)")
                        group.addTask { await answer(id, on: connection) }
                    }
                } catch {
                    AsyncHarness.checkTyped(error, "receiveRequest")
                }
            }
        }
        let peer = pipes.client
        let drain = Task {
            while (try? await peer.read(maxBytes: 64 << 10, deadline: nil)) != nil {}
        }
        for piece in pieces {
            do { try await peer.write(piece, deadline: nil) } catch { break }
        }
        await peer.close(.graceful)
        await serving.value
        await connection.close()
        await drain.value
        await AsyncHarness.settle("server: \(connection.trackedStreamCount) streams, \(connection.uploadCount) uploads left after close") {
            connection.trackedStreamCount == 0 && connection.uploadCount == 0 && connection.isClosed
        }
        return AsyncHarness.WeakConnection(connection: connection)
    }

    /// What a handler does: reads the request body, answers 200 with a short body.
    static func answer(_ id: HTTP2StreamID, on connection: HTTP2Connection) async {
        do {
            let body = try await connection.readStream(id)
            try await connection.startResponse(HTTPResponse(status: .ok), on: id)
            try await connection.sendData(Array(body.prefix(32)) + Array("ok".utf8), on: id, endStream: true)
        } catch {
            AsyncHarness.checkTyped(error, "answering stream \(id)")
        }
    }
}
