package import HTTPTypes

/// A header block as nghttp2 hands it over field by field (a request or response head, or
/// trailers): the pseudo-headers kept apart, every other field built straight into
/// `HTTPFields`, so a response head costs the fields' own storage and nothing in between
/// (issue 17 counted three allocations per field when each arrived as two byte arrays).
///
/// nghttp2 has already checked the block: names lowercase and legal, pseudo-headers only
/// first, known, and allowed for the role, no connection-specific fields. What is left to
/// judge (a missing or bad `:status`, missing request pseudo-headers) is `HTTP2Fields`'.
package struct HTTP2ReceivedHeaders: Sendable, ExpressibleByArrayLiteral {
    package var status: String?
    package var method: String?
    package var scheme: String?
    package var authority: String?
    package var path: String?
    package var fields = HTTPFields()
    /// A regular field whose name `HTTPField.Name` refused.
    package private(set) var hasInvalidName = false
    /// Octets counted as RFC 9113 §6.5.2 counts them (name + value + 32 per field).
    package private(set) var size = 0

    package init() {}

    /// For tests: `[(":status", "200"), ("content-type", "text/plain")]`.
    package init(arrayLiteral elements: (String, String)...) {
        for (name, value) in elements {
            var name = name, value = value
            name.withUTF8 { name in value.withUTF8 { value in append(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value)) } }
        }
    }

    package mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        size += name.count + value.count + 32
        guard name.first == UInt8(ascii: ":") else {
            guard let fieldName = HTTPField.Name(String(decoding: name, as: UTF8.self)) else {
                hasInvalidName = true
                return
            }
            // Room for a typical head at once, instead of regrowing at 1, 2, 4 and 8 fields.
            if fields.isEmpty { fields.reserveCapacity(12) }
            // ASCII (nearly every value) becomes a String directly: HTTPTypes' byte path
            // validates through an unspecialised generic, which looked up type metadata
            // for every field (about 4% of the client's CPU against h2o). Other bytes keep
            // the lenient path, which preserves them.
            if value.allSatisfy({ $0 < 0x80 }) {
                fields.append(HTTPField(name: fieldName, value: String(decoding: value, as: UTF8.self)))
            } else {
                fields.append(HTTPField(name: fieldName, lenientValue: value))
            }
            return
        }
        let text = String(decoding: value, as: UTF8.self)
        switch name.count {
        case 5 where name.elementsEqual(":path".utf8): path = text
        case 7 where name.elementsEqual(":status".utf8): status = text
        case 7 where name.elementsEqual(":method".utf8): method = text
        case 7 where name.elementsEqual(":scheme".utf8): scheme = text
        case 10 where name.elementsEqual(":authority".utf8): authority = text
        default: break  // :protocol (extended CONNECT) is not used here
        }
    }

    /// The pseudo-headers that came, then the fields, as strings (for tests and diagnostics).
    package var pairs: [(name: String, value: String)] {
        let pseudo = [(":method", method), (":scheme", scheme), (":authority", authority), (":path", path), (":status", status)]
        return pseudo.compactMap { name, value in value.map { (name, $0) } } + fields.map { ($0.name.canonicalName, $0.value) }
    }
}
