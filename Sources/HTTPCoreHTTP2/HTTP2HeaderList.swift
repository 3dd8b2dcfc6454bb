package import HTTPTypes

/// A header list on its way to nghttp2 (a request or response head, or trailers): names
/// and values back to back in one byte array, so a head costs one allocation however many
/// fields it has (issue 17 counted eleven for a four-field request when each name and
/// value was an array of its own). `NGHTTP2Session` points nghttp2's name/value records
/// into it, and nghttp2 copies what it keeps.
///
/// Layout per field: the name's length and the value's length (4 bytes each, native byte
/// order), then the name's bytes (lowercase, as on the wire), then the value's.
package struct HTTP2HeaderList: Sendable, ExpressibleByArrayLiteral {
    private(set) var storage: [UInt8] = []
    /// Fields in the list.
    package private(set) var count = 0

    package init() {}

    /// An empty list with room for `bytes` bytes of names and values.
    package init(reservingBytes bytes: Int) {
        storage.reserveCapacity(bytes + 64)
    }

    /// For tests and fixed lists: `[(":status", "200"), ("content-type", "text/plain")]`.
    package init(arrayLiteral elements: (String, String)...) {
        for (name, value) in elements { append(name, value) }
    }

    /// Regular fields (trailers, say) by their lowercase names.
    package init(_ fields: HTTPFields) {
        var bytes = 0
        for field in fields { bytes += field.name.canonicalName.utf8.count + field.value.utf8.count + 8 }
        self.init(reservingBytes: bytes)
        for field in fields { append(field.name.canonicalName, field.value) }
    }

    package mutating func append(_ name: String, _ value: String) {
        append(name: name.utf8, value: value.utf8)
    }

    package mutating func append(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        withUnsafeBytes(of: UInt32(name.count)) { storage.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(value.count)) { storage.append(contentsOf: $0) }
        storage.append(contentsOf: name)
        storage.append(contentsOf: value)
        count += 1
    }

    package static func + (lhs: HTTP2HeaderList, rhs: HTTP2HeaderList) -> HTTP2HeaderList {
        var sum = lhs
        sum.storage.append(contentsOf: rhs.storage)
        sum.count += rhs.count
        return sum
    }

    /// Calls `body` with each field's name and value, in order.
    package func forEach(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        storage.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let nameCount = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                let valueCount = Int(raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                let name = UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<(offset + 8 + nameCount)])
                let value = UnsafeRawBufferPointer(rebasing: raw[(offset + 8 + nameCount)..<(offset + 8 + nameCount + valueCount)])
                body(name, value)
                offset += 8 + nameCount + valueCount
            }
        }
    }
}
