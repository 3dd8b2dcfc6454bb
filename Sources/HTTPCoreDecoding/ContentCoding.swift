public import HTTPTypes
public import HTTPCore

/// A content coding this module decodes (RFC 9110 section 8.4.1, RFC 7932, RFC 9659).
public enum ContentCoding: String, Sendable, Hashable, CaseIterable {
    case gzip
    /// RFC 9110's zlib-wrapped deflate; raw deflate (no zlib header) is accepted too.
    case deflate
    case brotli = "br"
    case zstd

    /// The coding a Content-Encoding token names: case-insensitive, `x-gzip` is `gzip`
    /// (RFC 9110 section 8.4.1.3). Nil for `identity` and for codings not supported.
    public init?(token: some StringProtocol) {
        switch token.lowercased() {
        case "gzip", "x-gzip": self = .gzip
        case "deflate": self = .deflate
        case "br": self = .brotli
        case "zstd": self = .zstd
        default: return nil
        }
    }

    /// The token as it appears in Content-Encoding and Accept-Encoding.
    public var token: String { rawValue }

    /// The Accept-Encoding value for every supported coding: "gzip, deflate, br, zstd".
    public static let acceptEncoding = allCases.map(\.token).joined(separator: ", ")

    /// How many codings one response may stack. More is refused before any byte is
    /// decoded: each layer multiplies the work and memory a small body can demand
    /// (urllib3 CVE-2025-66418 was an unbounded chain).
    public static let maximumStacked = 2

    /// The codings a Content-Encoding value lists, in the order the sender applied them
    /// (decoding runs in reverse). `identity` and empty list members are skipped.
    ///
    /// Throws `.unsupportedContentCoding` for a coding not in this enum and
    /// `.tooManyContentCodings` for more than `maximumStacked` codings.
    public static func codings(contentEncoding: some StringProtocol) throws(HTTPCoreError) -> [ContentCoding] {
        var codings: [ContentCoding] = []
        for member in contentEncoding.split(separator: ",") {
            let token = member.trimmingWhitespace()
            if token.isEmpty || token.lowercased() == "identity" { continue }
            guard let coding = ContentCoding(token: token) else {
                throw HTTPCoreError(.unsupportedContentCoding, "Content-Encoding \"\(token)\" is not one of \(acceptEncoding)")
            }
            codings.append(coding)
            guard codings.count <= maximumStacked else {
                throw HTTPCoreError(
                    .tooManyContentCodings,
                    "Content-Encoding \"\(contentEncoding)\" stacks more than \(maximumStacked) codings"
                )
            }
        }
        return codings
    }

    /// The codings of every Content-Encoding field line, combined as one list.
    public static func codings(in fields: HTTPFields) throws(HTTPCoreError) -> [ContentCoding] {
        let values = fields[values: .contentEncoding]
        if values.isEmpty { return [] }
        return try codings(contentEncoding: values.joined(separator: ","))
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let text = Substring(self)
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = text.lastIndex(where: { !isSpace($0) })!
        return text[first...last]
    }
}
