/// One `--form name=value` pair; the value may come from a file (`name=@path`) or stdin
/// (`name=@-`). Encoded as application/x-www-form-urlencoded.
public struct FormField: Sendable, Hashable {
    public let name: String
    public let value: BodyInput

    public init(name: String, value: BodyInput) {
        self.name = name
        self.value = value
    }

    /// Parses `name=value`; the name must not be empty.
    public init(argument: String) throws(HXFailure) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw HXFailure(.usage, "--form \(argument.debugDescription) must be name=value")
        }
        let name = String(argument[..<equals])
        guard !name.isEmpty else { throw HXFailure(.usage, "--form \(argument.debugDescription) has an empty name") }
        self.init(name: name, value: BodyInput(argument: String(argument[argument.index(after: equals)...])))
    }

    /// `a=1&b=x+y`: every field percent-encoded (space as `+`), in the order given.
    public static func encode(_ pairs: [(String, [UInt8])]) -> [UInt8] {
        var encoded: [UInt8] = []
        for (index, (name, value)) in pairs.enumerated() {
            if index > 0 { encoded.append(UInt8(ascii: "&")) }
            encoded += percentEncode(Array(name.utf8))
            encoded.append(UInt8(ascii: "="))
            encoded += percentEncode(value)
        }
        return encoded
    }

    /// WHATWG's application/x-www-form-urlencoded byte serializer.
    static func percentEncode(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return out
    }
}
