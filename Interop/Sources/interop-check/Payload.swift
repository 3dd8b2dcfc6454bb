/// Request bodies the harness sends: deterministic pseudo-random bytes (every byte value,
/// no accidental structure for a peer or the client to get lucky on), with their digest.
struct Payload: Sendable {
    let bytes: [UInt8]
    let sha256: String

    init(size: Int, seed: UInt64) {
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: size + 8)
        bytes.withUnsafeMutableBytes { buffer in
            // xorshift64, a word at a time: fast in a debug build, and enough to vary every byte.
            for offset in stride(from: 0, to: size, by: 8) {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                buffer.storeBytes(of: state.littleEndian, toByteOffset: offset, as: UInt64.self)
            }
        }
        bytes.removeLast(8)
        self.bytes = bytes
        sha256 = SHA256.hex(of: bytes)
    }

    /// The bytes as an async sequence of `chunkSize` chunks, for a streamed upload.
    func chunks(of chunkSize: Int) -> Chunks {
        Chunks(chunks: stride(from: 0, to: bytes.count, by: chunkSize).map {
            Array(bytes[$0..<min($0 + chunkSize, bytes.count)])
        })
    }

    struct Chunks: AsyncSequence, Sendable {
        let chunks: [[UInt8]]

        func makeAsyncIterator() -> Iterator { Iterator(remaining: chunks[...]) }

        struct Iterator: AsyncIteratorProtocol {
            var remaining: ArraySlice<[UInt8]>
            mutating func next() async -> [UInt8]? { remaining.popFirst() }
        }
    }
}
