/// Reads a fuzz input: a few leading bytes choose the configuration (which method, which
/// coding, where to split), the rest is the payload. Split points come from a small PRNG
/// seeded by the input itself, so one input always splits the same way (libFuzzer needs
/// determinism) while the payload bytes stay exactly what the fuzzer wrote.
struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    init(_ data: [UInt8]) { bytes = data[...] }

    /// The next configuration byte (0 once the input is used up).
    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// The rest of the input.
    mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }

    /// `payload` cut into pieces of 1 to `maxPiece` bytes, at points a PRNG seeded with
    /// `seed` picks (xorshift: no Foundation, same on every platform).
    static func pieces(_ payload: [UInt8], seed: UInt8, maxPiece: Int = 16) -> [[UInt8]] {
        var state = UInt32(seed) &* 2_654_435_761 | 1
        var pieces: [[UInt8]] = []
        var start = 0
        while start < payload.count {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            let size = 1 + Int(state % UInt32(maxPiece))
            let end = min(payload.count, start + size)
            pieces.append(Array(payload[start..<end]))
            start = end
        }
        return pieces
    }

    /// `payload` cut at each `separator` byte (the separators dropped).
    static func lines(_ payload: [UInt8], separator: UInt8 = UInt8(ascii: "\n")) -> [String] {
        payload.split(separator: separator, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}
