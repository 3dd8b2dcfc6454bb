/// Percent-encoding for query parameters, form bodies and request targets.
enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Appends `text` with every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`)
    /// as `%XX`. For forms (`application/x-www-form-urlencoded`, WHATWG), a space is `+`
    /// and `*` stays while `~` is encoded.
    static func append(_ text: String, to out: inout [UInt8], spaceAsPlus: Bool) {
        append(bytes: text.utf8, to: &out, spaceAsPlus: spaceAsPlus)
    }

    static func append<C: Collection<UInt8>>(bytes: C, to out: inout [UInt8], spaceAsPlus: Bool) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(byte)
            case UInt8(ascii: "~") where !spaceAsPlus, UInt8(ascii: "*") where spaceAsPlus:
                out.append(byte)
            case UInt8(ascii: " ") where spaceAsPlus:
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
    }

    /// `name=value&...` as `application/x-www-form-urlencoded`.
    static func form<S: Sequence>(_ pairs: S) -> [UInt8] where S.Element == (String, String) {
        var out: [UInt8] = []
        for (index, (name, value)) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            append(name, to: &out, spaceAsPlus: true)
            out.append(UInt8(ascii: "="))
            append(value, to: &out, spaceAsPlus: true)
        }
        return out
    }

    /// A path or query as given, with the bytes a request target may not carry escaped:
    /// controls, space, DEL, non-ASCII and `"<>\^`{|}`. Existing escapes stay as they are.
    static func escapeTarget(_ text: Substring) -> String {
        let needsEscape: (UInt8) -> Bool = { byte in
            switch byte {
            case 0...0x20, 0x7F...0xFF, UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"),
                 UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
                return true
            default:
                return false
            }
        }
        guard text.utf8.contains(where: needsEscape) else { return String(text) }
        var out: [UInt8] = []
        for byte in text.utf8 {
            if needsEscape(byte) { out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]] } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
