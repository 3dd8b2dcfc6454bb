@testable import HTTPCoreHTTP1
import HTTPTypes

/// The HTTP/1.1 response parser, fed a connection's bytes whole and in pieces: the events
/// (body bytes joined) and the error must be the same, and no body may hand out more bytes
/// than arrived. Small limits, so the fuzzer reaches every limit check.
///
/// Input: byte 0 seeds the split, byte 1 picks the request method of each of up to four
/// pipelined responses (two bits each: GET, HEAD, CONNECT, POST); the rest is what the
/// server sent.
enum HTTP1ResponseTarget {
    static let limits = HTTP1Limits(maxStartLineLength: 128, maxFieldLineLength: 256, maxHeaderSectionSize: 1024, maxFieldCount: 16, maxChunkLineLength: 32)

    /// What the parser said, body pieces joined, so two splits compare equal.
    enum Outcome: Equatable {
        case event(HTTP1ResponseEvent)
        case failed(HTTP1ParseError)
    }

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let methods = input.byte()
        let payload = input.rest()
        let whole = parse([payload], methods: methods)
        let split = parse(FuzzInput.pieces(payload, seed: seed), methods: methods)
        FuzzCheck.equal(whole, split, "response parser: whole and split input disagree")
        let bodyBytes = whole.reduce(0) { total, outcome in
            if case .event(.body(let bytes)) = outcome { return total + bytes.count }
            return total
        }
        FuzzCheck.that(bodyBytes <= payload.count, "more body bytes (\(bodyBytes)) than input (\(payload.count))")
    }

    static func parse(_ pieces: [[UInt8]], methods: UInt8) -> [Outcome] {
        let choices: [HTTPRequest.Method] = [.get, .head, .connect, .post]
        var parser = HTTP1ResponseParser(limits: limits)
        var outcomes: [Outcome] = []
        var responses = 0
        parser.startResponse(to: choices[Int(methods & 3)])

        /// Pulls events until the parser needs bytes; false once it is done or failed.
        func drain() -> Bool {
            while true {
                let event: HTTP1ResponseEvent?
                do {
                    event = try parser.next()
                } catch {
                    outcomes.append(.failed(error))
                    return false
                }
                guard let event else { return true }
                if case .body(let bytes) = event {
                    FuzzCheck.that(!bytes.isEmpty, "an empty body event")
                    if case .event(.body(let earlier)) = outcomes.last {
                        outcomes[outcomes.count - 1] = .event(.body(earlier + bytes))
                        continue
                    }
                }
                outcomes.append(.event(event))
                if case .end(let keepAlive) = event {
                    responses += 1
                    guard keepAlive, responses < 4 else { return false }
                    parser.startResponse(to: choices[Int(methods >> (2 * responses) & 3)])
                }
            }
        }

        for piece in pieces {
            parser.feed(piece)
            guard drain() else { return outcomes }
        }
        parser.feedEOF()
        _ = drain()
        return outcomes
    }
}
