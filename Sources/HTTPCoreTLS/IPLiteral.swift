/// Tells IP literals from host names: SNI must not carry an IP (RFC 6066 §3), and an IP
/// is matched against the certificate's IP subjectAltNames instead of its DNS names.
enum IPLiteral {
    /// True for dotted-quad IPv4 (`127.0.0.1`) and any IPv6 form, bracketed or not. A
    /// colon never appears in a DNS name, so it marks IPv6 well enough to choose the check;
    /// OpenSSL rejects a malformed address when it parses it.
    static func isIPLiteral(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
