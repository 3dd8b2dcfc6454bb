import HTTPCore
@testable import HTTPCoreDecoding

/// The content decoders under their limits. Fed arbitrary bytes (or a real compressed
/// body of the payload), a `BodyDecoder` never hands out a chunk over `outputChunkSize`,
/// never more than `maxDecodedBytes` in all, never passes its ratio cap, and fails only
/// with the decoding errors; without a ratio cap (the only limit that depends on how the
/// input arrives) whole and split input decode alike; and a body we compressed ourselves
/// decodes back to the payload.
///
/// Input: byte 0 seeds the split; byte 1 picks the Content-Encoding (low 3 bits) and the
/// mode (bit 3: compress the payload first); byte 2 picks the limits.
enum DecodersTarget {
    static let encodings = ["", "gzip", "deflate", "br", "zstd", "gzip, br", "zstd, deflate", "br, gzip"]
    static let allowedErrors: Set<HTTPCoreError.Code> = [.decodedBodyTooLarge, .decompressionRatioExceeded, .corruptEncodedBody, .truncatedEncodedBody]

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let seed = input.byte()
        let choice = input.byte()
        let limits = input.byte()
        var payload = input.rest()
        let encoding = encodings[Int(choice & 7)]
        let policy = policy(limits)
        if choice & 8 != 0 {
            guard let compressed = compress(payload, encoding: encoding) else { return }
            let roundTrip = decode([compressed], encoding: encoding, policy: DecodingPolicy(maxRatio: nil))
            FuzzCheck.equal(roundTrip, .decoded(payload), "\(encoding) round trip")
            payload = compressed
        }
        let whole = decode([payload], encoding: encoding, policy: policy)
        let split = decode(FuzzInput.pieces(payload, seed: seed, maxPiece: 64), encoding: encoding, policy: policy)
        // Without a ratio cap (the one limit that depends on how the input arrives) the
        // outcome is the same; only the bytes handed out before an error may differ, as a
        // stage that finds the error in the same step as some output drops that output.
        guard policy.maxRatio == nil else { return }
        switch (whole, split) {
        case (.failed(let code, let a), .failed(let other, let b)):
            // A body both over the size cap and corrupt may fail either way: the cap fires
            // as soon as output passes it, and how much output comes before the decoder
            // meets the corruption depends on how the input arrived (found by a long run:
            // zstd fed whole saw the corruption first, fed in pieces the cap).
            if code != other {
                FuzzCheck.that(
                    [code, other].contains(.decodedBodyTooLarge) && policy.maxDecodedBytes != nil,
                    "\(encoding): whole and split input fail differently (\(code), \(other)), and not for the size cap"
                )
            }
            FuzzCheck.that(a.starts(with: b) || b.starts(with: a), "\(encoding): output before the error is not one stream")
        default:
            FuzzCheck.equal(whole, split, "\(encoding): whole and split input disagree")
        }
    }

    /// Caps from 0 bytes up, ratios from 1:1, chunks from 1 byte: the edges are where
    /// off-by-one errors live.
    static func policy(_ byte: UInt8) -> DecodingPolicy {
        let caps: [Int?] = [nil, 0, 1, 100, 4096]
        let ratios: [Int?] = [nil, 1, 10, 1000]
        let chunkSizes = [1, 7, 4096, 64 << 10]
        return DecodingPolicy(
            maxDecodedBytes: caps[Int(byte) % caps.count],
            maxRatio: ratios[Int(byte >> 3) & 3],
            ratioAppliesAfter: byte & 0x20 == 0 ? 0 : 100,
            outputChunkSize: chunkSizes[Int(byte >> 6)]
        )
    }

    enum Outcome: Equatable {
        case decoded([UInt8])
        case failed(HTTPCoreError.Code, after: [UInt8])
    }

    static func decode(_ pieces: [[UInt8]], encoding: String, policy: DecodingPolicy) -> Outcome {
        let decoder: BodyDecoder
        do {
            decoder = try BodyDecoder(contentEncoding: encoding, policy: policy)
        } catch {
            preconditionFailure("BodyDecoder refused \(encoding): \(error)")
        }
        var output: [UInt8] = []
        var consumed = 0
        do {
            for (index, piece) in pieces.enumerated() {
                decoder.feed(piece)
                consumed += piece.count
                if index == pieces.count - 1 { decoder.finishInput() }
                while let chunk = try decoder.next() {
                    check(chunk, output: &output, decoder: decoder, consumed: consumed, policy: policy)
                }
            }
            if pieces.isEmpty {
                decoder.finishInput()
                while let chunk = try decoder.next() {
                    check(chunk, output: &output, decoder: decoder, consumed: consumed, policy: policy)
                }
            }
        } catch {
            FuzzCheck.that(allowedErrors.contains(error.code), "\(encoding) threw \(error)")
            return .failed(error.code, after: output)
        }
        FuzzCheck.that(decoder.isFinished, "\(encoding): input finished and nothing more to hand out, but not finished")
        return .decoded(output)
    }

    static func check(_ chunk: [UInt8], output: inout [UInt8], decoder: BodyDecoder, consumed: Int, policy: DecodingPolicy) {
        FuzzCheck.that(!chunk.isEmpty, "an empty decoded chunk")
        FuzzCheck.that(chunk.count <= policy.outputChunkSize, "a chunk of \(chunk.count) bytes over \(policy.outputChunkSize)")
        output += chunk
        FuzzCheck.that(decoder.decodedBytes == output.count, "decodedBytes \(decoder.decodedBytes) but \(output.count) handed out")
        FuzzCheck.that(decoder.encodedBytes <= consumed, "encodedBytes \(decoder.encodedBytes) over the \(consumed) fed")
        if let cap = policy.maxDecodedBytes { FuzzCheck.that(output.count <= cap, "\(output.count) decoded bytes over the cap \(cap)") }
        if let ratio = policy.maxRatio, output.count > policy.ratioAppliesAfter {
            let (limit, overflow) = ratio.multipliedReportingOverflow(by: decoder.encodedBytes)
            FuzzCheck.that(overflow || output.count <= limit, "\(output.count) bytes from \(decoder.encodedBytes): over \(ratio):1")
        }
    }

    /// The payload compressed as `encoding` says (nil when it names brotli, which the
    /// project only decodes).
    static func compress(_ payload: [UInt8], encoding: String) -> [UInt8]? {
        var bytes = payload
        for coding in encoding.split(separator: ",").map({ $0.trimmingPrefix(" ") }) {
            switch coding {
            case "gzip": bytes = ZlibDeflater.compress(bytes, .gzip)
            case "deflate": bytes = ZlibDeflater.compress(bytes, .zlib)
            case "zstd": bytes = ZstdCompression.compress(bytes)
            case "br": return nil
            default: break
            }
        }
        return bytes
    }
}
