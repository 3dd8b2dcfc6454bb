public import HTTPCore

/// One step of a scripted conversation, seen from the peer.
///
/// Steps run in order. A read waits until the script reaches a `.read` (or `.eof`); a
/// write must match the `.write`/`.writePrefix` steps in turn (concatenated, so the code
/// under test may split or coalesce its writes freely). `.delay` holds both directions
/// until the manual clock passes it; `.fail` makes the next operation of either kind throw.
/// When the script runs out the peer goes silent: reads wait for a deadline, cancellation
/// or close, and writes fail as unexpected.
public enum MockStep: Sendable, Hashable {
    /// The peer sends these bytes.
    case read([UInt8])
    /// The client must write exactly these bytes next.
    case write([UInt8])
    /// The client's next write must start with these bytes; the rest of that write call is
    /// accepted unchecked (for values such as dates or random boundaries).
    case writePrefix([UInt8])
    /// The peer closes its side: reads return nil from here on.
    case eof
    /// The next read or write throws this error, and so does every one after it.
    case fail(HTTPCoreError.Code)
    /// Nothing happens until the manual clock has advanced by this much.
    case delay(Duration)

    public static func read(_ text: String) -> MockStep { .read(Array(text.utf8)) }
    public static func write(_ text: String) -> MockStep { .write(Array(text.utf8)) }
    public static func writePrefix(_ text: String) -> MockStep { .writePrefix(Array(text.utf8)) }

    /// The peer resets the connection.
    public static let reset = MockStep.fail(.connectionReset)
}

/// Renders bytes for failure messages: printable ASCII as is, the rest escaped.
func describeBytes<C: Collection<UInt8>>(_ bytes: C, limit: Int = 200) -> String {
    var text = "\""
    for byte in bytes.prefix(limit) {
        switch byte {
        case 0x0D: text += "\\r"
        case 0x0A: text += "\\n"
        case 0x09: text += "\\t"
        case 0x22: text += "\\\""
        case 0x5C: text += "\\\\"
        case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
        default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    text += "\""
    if bytes.count > limit { text += "... (\(bytes.count) bytes)" }
    return text
}

extension Array where Element == MockStep {
    /// The same script with every `.read` cut into pieces of at most `size` bytes, to prove
    /// the code under test does not depend on how bytes arrive.
    public func splittingReads(into size: Int) -> [MockStep] {
        flatMap { step -> [MockStep] in
            guard case .read(let bytes) = step, bytes.count > size else { return [step] }
            return stride(from: 0, to: bytes.count, by: size).map { .read([UInt8](bytes[$0..<Swift.min($0 + size, bytes.count)])) }
        }
    }
}
