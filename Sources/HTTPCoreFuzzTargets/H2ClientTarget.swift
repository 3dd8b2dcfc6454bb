import HTTPCore
@testable import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPTypes

/// The HTTP/2 glue in the client role: an `HTTP2Connection` over the mock backend's
/// in-memory pair opens one to four streams (the stream API, so they exist before the
/// first byte of the answer), then reads whatever the fuzzer wrote as the server, after a
/// valid empty SETTINGS frame the harness writes first. Then the server closes. Every call
/// ends with a response or an `HTTPCoreError`, nothing hangs, and once the connection is
/// closed it tracks no stream, runs no upload, and is freed.
///
/// Input: byte 0 seeds the split of the server's bytes; byte 1 picks the streams (bits
/// 0-1: how many; bit 2: with a request body; bit 3: answer from the server in one write);
/// the rest is the server's bytes after its SETTINGS.
enum H2ClientTarget {
    static let origin = Origin(scheme: "http", host: "example.com", port: 80)
    /// SETTINGS, empty: what a server sends first.
    static let settings: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 0, 0]

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let choice = input.byte()
        let payload = input.rest()
        let pieces = choice & 8 != 0 ? [settings + payload] : [settings] + FuzzInput.pieces(payload, seed: seed, maxPiece: 64)
        AsyncHarness.runBlocking { await exchange(streams: 1 + Int(choice & 3), withBody: choice & 4 != 0, serverSends: pieces) }
    }

    static func exchange(streams count: Int, withBody: Bool, serverSends pieces: [[UInt8]]) async {
        let released = await converse(streams: count, withBody: withBody, serverSends: pieces)
        await AsyncHarness.settle("client: the connection was not freed after close (a retain cycle, or a task that never ends)") {
            released.connection == nil
        }
    }

    static func converse(streams count: Int, withBody: Bool, serverSends pieces: [[UInt8]]) async -> AsyncHarness.WeakConnection {
        let clock = ManualClock()
        let pipes = MockStreamPair.make(clock: clock)
        let connection: HTTP2Connection
        do {
            connection = try await HTTP2Connection.start(over: pipes.client, origin: origin, clock: clock)
        } catch {
            preconditionFailure("the client connection did not start: \(error)")
        }
        var readers: [Task<Void, Never>] = []
        for index in 0..<count {
            let head = HTTPRequest(method: withBody ? .post : .get, scheme: "http", authority: "example.com", path: "/\(index)")
            do {
                let id = try await connection.startRequest(head, endStream: !withBody)
                if withBody { try await connection.sendData(Array("body \(index)".utf8), on: id, endStream: true) }
                readers.append(Task { await read(id, on: connection) })
            } catch {
                AsyncHarness.checkTyped(error, "opening a stream")
            }
        }
        // The server: what the fuzzer wrote, then EOF; it reads (and drops) the client's frames.
        let peer = pipes.server
        let drain = Task {
            while (try? await peer.read(maxBytes: 64 << 10, deadline: nil)) != nil {}
        }
        for piece in pieces {
            do { try await peer.write(piece, deadline: nil) } catch { break }
        }
        await peer.close(.graceful)
        for reader in readers { await reader.value }
        await connection.close()
        await drain.value
        await AsyncHarness.settle("client: \(connection.trackedStreamCount) streams, \(connection.uploadCount) uploads left after close") {
            connection.trackedStreamCount == 0 && connection.uploadCount == 0 && connection.isClosed
        }
        return AsyncHarness.WeakConnection(connection: connection)
    }

    /// What a user of the stream API does: the head, the body to its end, the trailers.
    static func read(_ id: HTTP2StreamID, on connection: HTTP2Connection) async {
        do {
            let head = try await connection.receiveResponse(on: id)
            FuzzCheck.that(head.status.code >= 200 && head.status.code <= 999, "final status \(head.status.code)")
            _ = try await connection.readStream(id)
            _ = try await connection.receiveTrailers(on: id)
        } catch {
            AsyncHarness.checkTyped(error, "reading stream \(id)")
        }
    }
}
