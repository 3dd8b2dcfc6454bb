import HTTPCore
import HTTPCoreMock

/// An origin on the mock backend that answers every request with the same 100-byte body
/// from bytes prepared once, so that counting the allocations of an exchange counts the
/// client's (and the backend's), not a server's: per read it allocates at most the one
/// array of its answers.
///
/// HTTP/1.1: every request head (a GET, no body) gets `200` with `Content-Length: 100`.
/// HTTP/2 (prior knowledge): a minimal frame loop, enough for a client's GETs: SETTINGS and
/// PING acknowledged, each stream that ends (HEADERS or DATA with END_STREAM) answered with
/// HEADERS (`:status 200`, `content-length: 100`, HPACK static-table references only, so
/// no compression state) and one DATA frame ending the stream.
final class CannedOrigin: Sendable {
    enum Wire: Sendable { case http1, http2 }

    static let bodySize = 100
    let backend = MockNetworkBackend()
    private let accepting: Task<Void, Never>

    init(_ wire: Wire, host: String = "example.com", port: Int = 80) async throws {
        let listener = try await backend.listenTCP(host: host, port: port, options: ListenOptions())
        accepting = Task {
            while let stream = try? await listener.accept() {
                Task {
                    switch wire {
                    case .http1: await Self.serveHTTP1(stream)
                    case .http2: await Self.serveHTTP2(stream)
                    }
                    await stream.close(.graceful)
                }
            }
        }
    }

    func stop() { accepting.cancel() }

    // MARK: - HTTP/1.1

    private static let http1Answer = Array("HTTP/1.1 200 OK\r\nContent-Length: \(bodySize)\r\n\r\n".utf8)
        + [UInt8](repeating: UInt8(ascii: "x"), count: bodySize)

    private static func serveHTTP1(_ stream: any NetworkStream) async {
        // How much of "\r\n\r\n" the bytes so far end with: heads may arrive split.
        var matched = 0
        let terminator: [UInt8] = [13, 10, 13, 10]
        while let bytes = try? await stream.read(maxBytes: 16 << 10, deadline: nil) {
            var heads = 0
            for byte in bytes {
                matched = byte == terminator[matched] ? matched + 1 : (byte == 13 ? 1 : 0)
                if matched == 4 {
                    heads += 1
                    matched = 0
                }
            }
            guard heads > 0 else { continue }
            let answer = heads == 1 ? http1Answer : Array([[UInt8]](repeating: http1Answer, count: heads).joined())
            guard (try? await stream.write(answer, deadline: nil)) != nil else { return }
        }
    }

    // MARK: - HTTP/2

    private enum Frame {
        static let data: UInt8 = 0x0, headers: UInt8 = 0x1, settings: UInt8 = 0x4, ping: UInt8 = 0x6, goaway: UInt8 = 0x7
        static let endStream: UInt8 = 0x1, ack: UInt8 = 0x1, endHeaders: UInt8 = 0x4
    }

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// HEADERS then DATA for stream 0; the stream id is written in at offsets 5 and 21.
    private static let http2Answer: [UInt8] = {
        // :status 200 is static entry 8; content-length (entry 28) as a literal without
        // indexing: 0x0f 0x0d is the 4-bit-prefix integer 28.
        let block: [UInt8] = [0x88, 0x0f, 0x0d, 0x03] + Array(String(bodySize).utf8)
        return frame(Frame.headers, flags: Frame.endHeaders, payload: block)
            + frame(Frame.data, flags: Frame.endStream, payload: [UInt8](repeating: UInt8(ascii: "x"), count: bodySize))
    }()

    private static func frame(_ type: UInt8, flags: UInt8, stream: UInt32 = 0, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags,
                UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)] + payload
    }

    private static func serveHTTP2(_ stream: any NetworkStream) async {
        guard (try? await stream.write(frame(Frame.settings, flags: 0, payload: []), deadline: nil)) != nil else { return }
        var buffer: [UInt8] = []
        var sawPreface = false
        while let bytes = try? await stream.read(maxBytes: 64 << 10, deadline: nil) {
            buffer.append(contentsOf: bytes)
            if !sawPreface {
                guard buffer.count >= preface.count else { continue }
                guard buffer.starts(with: preface) else { return }
                buffer.removeSubrange(0..<preface.count)
                sawPreface = true
            }
            var answer: [UInt8] = []
            var offset = 0
            while buffer.count - offset >= 9 {
                let length = Int(buffer[offset]) << 16 | Int(buffer[offset + 1]) << 8 | Int(buffer[offset + 2])
                guard buffer.count - offset >= 9 + length else { break }
                let type = buffer[offset + 3], flags = buffer[offset + 4]
                let id = (UInt32(buffer[offset + 5]) & 0x7f) << 24 | UInt32(buffer[offset + 6]) << 16
                    | UInt32(buffer[offset + 7]) << 8 | UInt32(buffer[offset + 8])
                switch type {
                case Frame.settings where flags & Frame.ack == 0:
                    answer += frame(Frame.settings, flags: Frame.ack, payload: [])
                case Frame.ping where flags & Frame.ack == 0:
                    answer += frame(Frame.ping, flags: Frame.ack, payload: Array(buffer[(offset + 9)..<(offset + 9 + length)]))
                case Frame.headers, Frame.data:
                    guard flags & Frame.endStream != 0 else { break }
                    let start = answer.count
                    answer += http2Answer
                    for at in [start + 5, start + 9 + 7 + 5] {
                        answer[at] = UInt8(id >> 24 & 0x7f)
                        answer[at + 1] = UInt8(id >> 16 & 0xff)
                        answer[at + 2] = UInt8(id >> 8 & 0xff)
                        answer[at + 3] = UInt8(id & 0xff)
                    }
                case Frame.goaway:
                    return
                default:
                    break  // WINDOW_UPDATE, PRIORITY_UPDATE, acknowledgements: nothing to answer
                }
                offset += 9 + length
            }
            buffer.removeSubrange(0..<offset)
            if !answer.isEmpty, (try? await stream.write(answer, deadline: nil)) == nil { return }
        }
    }
}
