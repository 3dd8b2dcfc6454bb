/// The value of one hexadecimal digit, for the places that undo percent-encoding (a served
/// path, a URL's userinfo) without Foundation.
package enum HexDigit {
    package static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension UInt8 {
    /// This byte's value as a hexadecimal digit, or nil.
    package var hexDigitValue: UInt8? { HexDigit.value(self) }
}
