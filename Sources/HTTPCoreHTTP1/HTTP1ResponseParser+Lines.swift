import HTTPCore
import HTTPTypes

extension HTTP1ResponseParser {
    func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTP1ParseError) -> Head {
        try rejectCRAndNUL(line)
        let bytes = Array(line)
        guard bytes.starts(with: Array("HTTP/".utf8)) else { throw .invalidStatusLine }
        guard bytes.count >= 8, bytes[5] == UInt8(ascii: "1"), bytes[6] == UInt8(ascii: "."), isDigit(bytes[7]) else {
            throw .invalidVersion
        }
        guard bytes.count > 8 else { throw .invalidStatusLine }
        guard bytes[8] == UInt8(ascii: " ") else { throw .invalidVersion }
        guard bytes.count >= 12, bytes[9..<12].allSatisfy(isDigit) else { throw .invalidStatusCode }
        let status = bytes[9..<12].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 else { throw .invalidStatusCode }
        var reason: [UInt8] = []
        if bytes.count > 12 {
            guard bytes[12] == UInt8(ascii: " ") else { throw .invalidStatusCode }
            reason = Array(bytes[13...])
            guard reason.allSatisfy(isFieldContent) else { throw .invalidFieldValue }
        }
        var head = Head()
        head.version = bytes[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1
        head.status = status
        head.reason = reason
        return head
    }
}
