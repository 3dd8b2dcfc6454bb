/// Bytes a backend has read and nobody has asked for yet, kept as the chunks they
/// arrived in, so handing a whole chunk to a reader copies nothing.
package struct ReadBuffer: Sendable {
    private var chunks: [[UInt8]] = []
    private var firstOffset = 0
    package private(set) var count = 0

    package init() {}

    package var isEmpty: Bool { count == 0 }

    package mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        chunks.append(bytes)
        count += bytes.count
    }

    /// Up to `maxBytes` from the front; the buffer must not be empty.
    package mutating func take(_ maxBytes: Int) -> [UInt8] {
        let first = chunks[0]
        let available = first.count - firstOffset
        let bytes: [UInt8]
        if firstOffset == 0, available <= maxBytes {
            bytes = first
            chunks.removeFirst()
        } else {
            let taken = min(available, maxBytes)
            bytes = Array(first[firstOffset..<firstOffset + taken])
            firstOffset += taken
            if firstOffset == first.count {
                chunks.removeFirst()
                firstOffset = 0
            }
        }
        count -= bytes.count
        return bytes
    }

    /// Returns bytes to the front (offered to a reader that was cancelled that instant).
    package mutating func putBack(_ bytes: [UInt8]) {
        if firstOffset > 0 {
            chunks[0] = Array(chunks[0][firstOffset...])
            firstOffset = 0
        }
        chunks.insert(bytes, at: 0)
        count += bytes.count
    }
}
