/// An order-sensitive checksum over 8-byte words (fast enough in debug builds for 64 MiB),
/// plus the byte count: what `transfer64MiBEachWayWithChecksum` compares, and what the
/// project's tests compare large transfers by (`Checksum` in HTTPCoreTestSupport).
package struct TransferChecksum: Equatable, CustomStringConvertible {
    package private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    package private(set) var count = 0
    private var carry: [UInt8] = []

    package init() {}

    package mutating func add(_ bytes: [UInt8]) {
        count += bytes.count
        var input = carry + bytes
        let whole = input.count / 8 * 8
        input.withUnsafeBytes { raw in
            var offset = 0
            while offset < whole {
                value = (value ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x100_0000_01b3
                offset += 8
            }
        }
        input.removeFirst(whole)
        carry = input
    }

    package var description: String { "\(count) bytes, \(value)" }

    /// Chunk `index` of the transfer: 256 KiB, one of sixteen patterns in turn.
    package static func chunk(_ index: Int) -> [UInt8] { patterns[index % 16] }

    private static let patterns: [[UInt8]] = (0..<16).map { index in
        (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: ($0 &* 7) ^ (index &* 31) ^ ($0 >> 11)) }
    }
}
