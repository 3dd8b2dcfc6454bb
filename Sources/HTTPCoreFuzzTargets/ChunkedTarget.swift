@testable import HTTPCoreHTTP1
import HTTPTypes

/// Chunked framing both ways.
/// - Encode, then decode: the payload cut into chunks (sizes from the input) and framed by
///   the encoder, with a trailer, reads back through both parsers as exactly the payload
///   and that trailer, however the framed bytes arrive.
/// - Decode arbitrary bytes as a chunked body: never more body than bytes given, the same
///   result whole and in pieces, and a body that ends was framed by its own chunks (so the
///   connection may be reused only when `.end` came).
///
/// Input: byte 0 seeds the splits, byte 1 picks the mode (bit 0: encode; else decode),
/// the rest is the payload (the body, or the bytes after a chunked head).
enum ChunkedTarget {
    static let responseHead = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
    static let requestHead = Array("POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let mode = input.byte()
        let payload = input.rest()
        if mode & 1 == 1 { roundTrip(payload, seed: seed) } else { decodeArbitrary(payload, seed: seed) }
    }

    static func roundTrip(_ payload: [UInt8], seed: UInt8) {
        var framed: [UInt8] = []
        for chunk in FuzzInput.pieces(payload, seed: seed, maxPiece: 300) { framed += HTTP1ResponseEncoder.chunk(chunk) }
        let trailers: HTTPFields = [HTTPField.Name("checksum")!: "\(payload.count)"]
        do {
            framed += try HTTP1RequestEncoder.lastChunk(trailers: trailers)
        } catch {
            preconditionFailure("the encoder refused a valid trailer: \(error)")
        }
        let limits = HTTP1Limits(maxChunkLineLength: 16)
        for pieces in [[responseHead + framed], FuzzInput.pieces(responseHead + framed, seed: seed &+ 1)] {
            let outcomes = HTTP1ResponseTarget.parse(pieces, methods: 0)
            let events = outcomes.compactMap { outcome -> HTTP1ResponseEvent? in
                if case .event(let event) = outcome { return event }
                return nil
            }
            let body: [UInt8] = events.reduce(into: []) { if case .body(let bytes) = $1 { $0 += bytes } }
            FuzzCheck.equal(body, payload, "response parser: chunked body read back")
            FuzzCheck.that(events.contains(.trailers(trailers)) && events.last == .end(keepAlive: true), "response parser: trailers and end: \(outcomes)")
        }
        for pieces in [[requestHead + framed], FuzzInput.pieces(requestHead + framed, seed: seed &+ 2)] {
            var parser = HTTP1RequestParser(limits: limits)
            var body: [UInt8] = []
            var ended = false
            for piece in pieces {
                parser.feed(piece)
                do {
                    while let event = try parser.next() {
                        if case .body(let bytes) = event { body += bytes }
                        if case .trailers(let fields) = event { FuzzCheck.equal(fields, trailers, "request parser: trailers") }
                        if case .end = event { ended = true }
                    }
                } catch {
                    preconditionFailure("request parser refused an encoded chunked body: \(error)")
                }
            }
            FuzzCheck.that(ended, "request parser: no end after the last chunk")
            FuzzCheck.equal(body, payload, "request parser: chunked body read back")
        }
    }

    static func decodeArbitrary(_ payload: [UInt8], seed: UInt8) {
        let whole = HTTP1ResponseTarget.parse([responseHead + payload], methods: 0)
        let split = HTTP1ResponseTarget.parse(FuzzInput.pieces(responseHead + payload, seed: seed), methods: 0)
        FuzzCheck.equal(whole, split, "chunked body: whole and split input disagree")
        var body = 0
        for outcome in whole {
            if case .event(.body(let bytes)) = outcome { body += bytes.count }
        }
        FuzzCheck.that(body <= payload.count, "chunked body of \(body) bytes from \(payload.count)")
        // Chunked: the body ends only at its last chunk, never at EOF.
        if case .failed = whole.last {} else if whole.count > 1 {
            FuzzCheck.that(whole.contains(.event(.end(keepAlive: true))), "a chunked body that did not fail must end cleanly: \(whole)")
        }
    }
}
