/// RFC 7617 Basic: `Basic base64(user ":" password)` with both in UTF-8, sent with the
/// first request (no 401 round trip). Its description never shows the credentials.
public struct BasicAuth: ClientAuth, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let user: String
    private let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// The field value, `Basic dXNlcjpwYXNz`.
    var fieldValue: String { "Basic " + Base64.encode(Array((user + ":" + password).utf8)) }

    public func authorize(_ request: inout ClientAuthRequest) throws {
        request.headerFields[.authorization] = fieldValue
    }

    public var description: String { "BasicAuth(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// RFC 4648 §4 base64 with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= count ? alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
