import HTTPCore
import HTTPTypes

extension HTTP1RequestParser {
    /// `method SP request-target SP HTTP-version` (RFC 9112 section 3) with exactly two
    /// single spaces: RFC 9112 section 3 lets a server also split on HTAB or runs of
    /// spaces, but a line one hop splits and another does not is a smuggling vector.
    func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Head {
        try rejectCRAndNUL(line)
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { throw .invalidRequestLine }
        guard parts[0].allSatisfy(isTokenByte),
              let method = HTTPRequest.Method(String(decoding: parts[0], as: UTF8.self))
        else { throw .invalidMethod }
        let version = try Self.parseVersion(parts[2])
        let target = try Target(parts[1], method: method)
        return Head(method: method, target: target, version: version)
    }

    /// `HTTP/` DIGIT `.` DIGIT. A higher HTTP/1 minor is read as HTTP/1.1 (RFC 9110
    /// section 2.5); another major is well-formed but unspoken: 505.
    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTP1ParseError) -> HTTPVersion {
        let b = Array(bytes)
        guard b.count == 8, b.starts(with: Array("HTTP/".utf8)), isDigit(b[5]), b[6] == UInt8(ascii: "."), isDigit(b[7])
        else { throw .invalidVersion }
        guard b[5] == UInt8(ascii: "1") else { throw .unsupportedVersion }
        return b[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
    }
}
