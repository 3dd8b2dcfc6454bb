import HTTPCore
@testable import HTTPCoreHTTP1
import HTTPTypes

/// The server's HTTP/1.1 request parser, fed a connection's bytes whole and in pieces:
/// the events (body bytes joined), what it says about each request (version,
/// keep-alive, 100-continue) and the error must be the same; bodies never exceed the
/// input, and an error always maps to a 4xx/5xx answer that closes the connection.
///
/// Input: byte 0 seeds the split, byte 1 picks the scheme (bit 0: https); the rest is
/// what the client sent.
enum HTTP1RequestTarget {
    static let limits = HTTP1ResponseTarget.limits

    enum Outcome: Equatable {
        case event(HTTP1RequestEvent)
        /// After each head: `version`, `keepAlive`, `expectsContinue`.
        case head(HTTPVersion, Bool, Bool)
        case failed(HTTP1ParseError)
        case finished
    }

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let scheme = input.byte() & 1 == 0 ? "http" : "https"
        let payload = input.rest()
        let whole = parse([payload], scheme: scheme)
        let split = parse(FuzzInput.pieces(payload, seed: seed), scheme: scheme)
        FuzzCheck.equal(whole, split, "request parser: whole and split input disagree")
        var bodyBytes = 0
        for outcome in whole {
            switch outcome {
            case .event(.body(let bytes)): bodyBytes += bytes.count
            case .failed(let error):
                FuzzCheck.that(error.closesConnection && error.requestStatus.code >= 400, "\(error) does not close with a 4xx/5xx")
            default: break
            }
        }
        FuzzCheck.that(bodyBytes <= payload.count, "more body bytes (\(bodyBytes)) than input (\(payload.count))")
    }

    static func parse(_ pieces: [[UInt8]], scheme: String) -> [Outcome] {
        var parser = HTTP1RequestParser(limits: limits, scheme: scheme)
        var outcomes: [Outcome] = []

        func drain() -> Bool {
            while true {
                let event: HTTP1RequestEvent?
                do {
                    event = try parser.next()
                } catch {
                    outcomes.append(.failed(error))
                    return false
                }
                guard let event else {
                    if parser.isFinished {
                        outcomes.append(.finished)
                        return false
                    }
                    return true
                }
                if case .body(let bytes) = event {
                    FuzzCheck.that(!bytes.isEmpty, "an empty body event")
                    if case .event(.body(let earlier)) = outcomes.last {
                        outcomes[outcomes.count - 1] = .event(.body(earlier + bytes))
                        continue
                    }
                }
                outcomes.append(.event(event))
                if case .head = event { outcomes.append(.head(parser.version, parser.keepAlive, parser.expectsContinue)) }
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
