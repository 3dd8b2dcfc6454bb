import HTTPCore
import HTTPTypes

extension HTTP1ResponseParser {
    /// Works on the line where it lies, by offsets: no copy of it, nor of the reason.
    func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Head {
        try rejectCRAndNUL(line)
        let start = line.startIndex
        let count = line.count
        guard line.starts(with: "HTTP/".utf8) else { throw .invalidStatusLine }
        guard count >= 8, line[start + 5] == UInt8(ascii: "1"), line[start + 6] == UInt8(ascii: "."), isDigit(line[start + 7]) else {
            throw .invalidVersion
        }
        guard count > 8 else { throw .invalidStatusLine }
        guard line[start + 8] == UInt8(ascii: " ") else { throw .invalidVersion }
        let code = line[(start + 9)..<min(start + 12, line.endIndex)]
        guard count >= 12, code.allSatisfy(isDigit) else { throw .invalidStatusCode }
        let status = code.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 else { throw .invalidStatusCode }
        var reason: ArraySlice<UInt8> = []
        if count > 12 {
            guard line[start + 12] == UInt8(ascii: " ") else { throw .invalidStatusCode }
            reason = line[(start + 13)...]
            guard reason.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
        }
        var head = Head()
        head.version = line[start + 7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
        head.status = status
        head.reason = reason
        return head
    }
}
