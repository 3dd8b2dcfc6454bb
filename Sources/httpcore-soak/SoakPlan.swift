/// What one request of the soak does, drawn from a generator seeded with the run's seed
/// and the request's index: the same seed gives the same requests, cancellations and
/// faults (only their timing varies), so a failure can be run again.
struct SoakPlan: Sendable {
    /// The exchange, with its expected answer.
    enum Exchange: Sendable, CaseIterable {
        case empty, small, large, chunked, uploadBytes, uploadStream
    }

    /// A fault the server (or the request's own timeout) injects.
    enum Fault: String, Sendable, CaseIterable {
        /// The handler sends the head and 1,000 body bytes, then throws: the server resets
        /// the HTTP/2 stream or closes the HTTP/1.1 connection mid-response.
        case abortMidBody = "abort-mid-body"
        /// The head declares 4,096 bytes and the handler ends after 1,000: a framing fault
        /// (HTTP/1.1: the server closes the connection short; HTTP/2: END_STREAM short of
        /// content-length, which the client's nghttp2 refuses).
        case shortBody = "short-body"
        /// The handler waits 50 ms before its head; the request allows 5 ms per read.
        case slowHead = "slow-head"
        /// The handler throws before any head: the server answers 500.
        case failBeforeHead = "fail-before-head"
    }

    /// Where the request is cancelled.
    enum Cancel: Sendable {
        /// Its task is cancelled before it calls the client.
        case beforeSend
        /// Its task is cancelled after this delay: queued, connecting, writing, waiting for
        /// the head or reading the body, depending on how far it got.
        case afterDelay(microseconds: Int)
        /// The reader cancels its own task after this many body chunks and reads on.
        case midBody(afterChunks: Int)

        var name: String {
            switch self {
            case .beforeSend: "before-send"
            case .afterDelay: "after-delay"
            case .midBody: "mid-body"
            }
        }
    }

    let exchange: Exchange
    let fault: Fault?
    let cancel: Cancel?

    /// `cancelPercent` of the requests are cancelled; about one in `faultEvery` carries a
    /// fault (never cancelled as well, so each fault's outcome is its own).
    init(seed: UInt64, index: Int, cancelPercent: Int, faultEvery: Int) {
        var random = SplitMix64(state: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(index))
        if faultEvery > 0, random.next() % UInt64(faultEvery) == 0 {
            fault = Fault.allCases[Int(random.next() % UInt64(Fault.allCases.count))]
            exchange = .small
            cancel = nil
            return
        }
        fault = nil
        // The mix: 20% empty, 40% 100 bytes, 10% 64 KiB, 15% chunked 32 KiB, 15% uploads.
        exchange = switch random.next() % 100 {
        case 0..<20: .empty
        case 20..<60: .small
        case 60..<70: .large
        case 70..<85: .chunked
        case 85..<93: .uploadBytes
        default: .uploadStream
        }
        guard random.next() % 100 < UInt64(cancelPercent) else {
            cancel = nil
            return
        }
        cancel = switch random.next() % 10 {
        case 0..<2: .beforeSend
        case 2..<7: .afterDelay(microseconds: Int(random.next() % 2_000))
        default: .midBody(afterChunks: Int(random.next() % 4))
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood): a small seeded generator whose first outputs are
/// already well mixed, so one per request costs nothing to set up.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
