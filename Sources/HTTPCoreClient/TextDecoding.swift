/// A body's bytes as text, by the charset its Content-Type names.
enum TextDecoding {
    static func decode(_ bytes: [UInt8], contentType: String?) -> String {
        switch charset(in: contentType) {
        case "iso-8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii":
            // Latin-1 maps each byte to the code point of the same number (and ASCII is
            // its lower half; bytes above it are kept rather than dropped).
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The `charset` parameter, lowercased and unquoted.
    static func charset(in contentType: String?) -> String? {
        guard let contentType else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "charset" else { continue }
            var value = pair[1].trimmingSpaces
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            return value.lowercased()
        }
        return nil
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
