/// One challenge of a `WWW-Authenticate` field (RFC 7235 §2.1, §4.1): a scheme with either
/// auth-params (`name=token` or `name="quoted \"string\""`) or a token68. A field may hold
/// several challenges (`Basic realm="a", Digest realm="b", nonce="c"`), and a quoted value
/// may hold commas.
struct AuthChallenge: Equatable {
    /// Lowercased (schemes are case-insensitive).
    var scheme: String
    /// Names lowercased; values unquoted and unescaped. The first of a repeated name wins.
    var parameters: [String: String] = [:]
    var token68: String?

    /// Every challenge in `fields` (several `WWW-Authenticate` lines or one with commas).
    /// What does not parse ends its field's list: a bad field never fails the request.
    static func parse<S: Sequence<String>>(fields: S) -> [AuthChallenge] {
        fields.flatMap { parse(Array($0.utf8)) }
    }

    static func parse(_ text: String) -> [AuthChallenge] { parse(Array(text.utf8)) }

    private static func parse(_ bytes: [UInt8]) -> [AuthChallenge] {
        var scanner = Scanner(bytes: bytes)
        var challenges: [AuthChallenge] = []
        while true {
            scanner.skip { $0 == UInt8(ascii: ",") || isSpace($0) }
            guard !scanner.atEnd, let scheme = scanner.token() else { break }
            var challenge = AuthChallenge(scheme: scheme.lowercased())
            // One token68 right after the scheme, or parameters, until a token that is not
            // followed by `=`: the next challenge's scheme.
            var first = true
            while true {
                let start = scanner.position
                scanner.skip(isSpace)
                let sawSpace = scanner.position > start
                var sawComma = false
                scanner.skip { byte in
                    if byte == UInt8(ascii: ",") { sawComma = true }
                    return byte == UInt8(ascii: ",") || isSpace(byte)
                }
                let mark = scanner.position
                guard let word = scanner.run(of: isToken68) else { break }
                let afterWord = scanner.position
                scanner.skip(isSpace)
                if scanner.peek == UInt8(ascii: "="), word.utf8.allSatisfy(isTokenChar) {
                    scanner.advance()
                    scanner.skip(isSpace)
                    if scanner.peek == UInt8(ascii: "\""), let value = scanner.quoted() {
                        record(word, value, in: &challenge)
                        first = false
                        continue
                    } else if scanner.peek != UInt8(ascii: "\""), let value = scanner.token() {
                        record(word, value, in: &challenge)
                        first = false
                        continue
                    }
                }
                scanner.position = afterWord
                if first, sawSpace, !sawComma {
                    // token68 with its `=` padding; nothing else follows in this challenge.
                    while scanner.peek == UInt8(ascii: "=") { scanner.advance() }
                    challenge.token68 = String(decoding: scanner.bytes[mark..<scanner.position], as: UTF8.self)
                    break
                }
                scanner.position = mark
                break
            }
            challenges.append(challenge)
        }
        return challenges
    }

    private static func record(_ name: String, _ value: String, in challenge: inout AuthChallenge) {
        let key = name.lowercased()
        if challenge.parameters[key] == nil { challenge.parameters[key] = value }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// RFC 9110 tchar.
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// token68 characters without the `=` padding.
    static func isToken68(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~+/".utf8.contains(byte) || isTokenChar(byte)
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        mutating func advance() { position += 1 }

        mutating func skip(_ predicate: (UInt8) -> Bool) {
            while let byte = peek, predicate(byte) { position += 1 }
        }

        mutating func run(of predicate: (UInt8) -> Bool) -> String? {
            let start = position
            skip(predicate)
            return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
        }

        mutating func token() -> String? { run(of: AuthChallenge.isTokenChar) }

        /// A quoted-string (RFC 9110 §5.6.4) with `\x` unescaped to `x`; nil if unterminated.
        mutating func quoted() -> String? {
            advance()
            var out: [UInt8] = []
            while let byte = peek {
                advance()
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { return nil }
                    out.append(escaped)
                    advance()
                default:
                    out.append(byte)
                }
            }
            return nil
        }
    }
}
