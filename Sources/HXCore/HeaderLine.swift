/// One `-H "Name: value"` argument. `Name:` with nothing after the colon removes a field hx
/// would add by itself (as in curl), such as `Accept:` or `User-Agent:`.
public struct HeaderLine: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public init(argument: String) throws(HXFailure) {
        guard let colon = argument.firstIndex(of: ":") else {
            throw HXFailure(.usage, "header \(argument.debugDescription) must be \"Name: value\" (no colon)")
        }
        let name = String(argument[..<colon])
        guard !name.isEmpty, name.utf8.allSatisfy(Token.isTokenByte) else {
            throw HXFailure(.usage, "header name \(name.debugDescription) is not a valid field name")
        }
        let value = argument[argument.index(after: colon)...].trimming(while: { $0 == " " || $0 == "\t" })
        guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw HXFailure(.usage, "header \(name) has CR, LF or NUL in its value")
        }
        self.init(name: name, value: value)
    }

    /// True for `Name:` with an empty value: a removal, not a field to send.
    public var removes: Bool { value.isEmpty }
}

/// RFC 9110 token characters (method and field names).
enum Token {
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

extension Substring {
    func trimming(while predicate: (Character) -> Bool) -> String {
        var text = self
        while let first = text.first, predicate(first) { text = text.dropFirst() }
        while let last = text.last, predicate(last) { text = text.dropLast() }
        return String(text)
    }
}
