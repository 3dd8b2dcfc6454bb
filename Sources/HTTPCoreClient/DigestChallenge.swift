import HTTPCoreTLS

/// A Digest challenge the client can answer (RFC 7616 §3.3): a known algorithm, and qop
/// `auth` offered (or no qop at all, RFC 2069).
struct DigestChallenge: Sendable, Equatable {
    enum Algorithm: String, Sendable {
        case md5 = "MD5", sha256 = "SHA-256", sha512_256 = "SHA-512-256"

        var strength: Int {
            switch self {
            case .md5: 0
            case .sha256: 1
            case .sha512_256: 2
            }
        }

        func hash(_ text: String) -> String? {
            let bytes = Array(text.utf8)
            let digest: [UInt8]? = switch self {
            case .md5: OpenSSLDigest.md5(bytes)
            case .sha256: OpenSSLDigest.sha256(bytes)
            case .sha512_256: OpenSSLDigest.sha512_256(bytes)
            }
            return digest.map(DigestChallenge.hex)
        }
    }

    var realm: String
    var nonce: String
    var opaque: String?
    var algorithm: Algorithm
    var session: Bool
    /// False: RFC 2069 (no qop, nc or cnonce).
    var qopAuth: Bool
    var stale: Bool
    /// The algorithm as the server spelled it, echoed back.
    var algorithmName: String?

    init?(_ challenge: AuthChallenge) {
        guard challenge.scheme == "digest", let realm = challenge.parameters["realm"], let nonce = challenge.parameters["nonce"] else { return nil }
        self.realm = realm
        self.nonce = nonce
        opaque = challenge.parameters["opaque"]
        algorithmName = challenge.parameters["algorithm"]
        var name = (algorithmName ?? "MD5").uppercased()
        session = name.hasSuffix("-SESS")
        if session { name.removeLast(5) }
        guard let algorithm = Algorithm(rawValue: name) else { return nil }
        self.algorithm = algorithm
        if let qop = challenge.parameters["qop"] {
            // A list like "auth, auth-int": only auth is answered (auth-int hashes the body).
            guard qop.split(separator: ",").contains(where: { $0.trimmingSpaces == "auth" }) else { return nil }
            qopAuth = true
        } else {
            qopAuth = false
        }
        stale = challenge.parameters["stale"]?.lowercased() == "true"
    }

    /// The Authorization value (RFC 7616 §3.4), or nil when a hash is unavailable.
    func authorization(user: String, password: String, method: String, uri: String, count: UInt32, cnonce: String) -> String? {
        let nc = String(repeating: "0", count: max(0, 8 - String(count, radix: 16).count)) + String(count, radix: 16)
        guard var ha1 = algorithm.hash("\(user):\(realm):\(password)"), let ha2 = algorithm.hash("\(method):\(uri)") else { return nil }
        if session {
            guard let sessionKey = algorithm.hash("\(ha1):\(nonce):\(cnonce)") else { return nil }
            ha1 = sessionKey
        }
        let digest = qopAuth ? algorithm.hash("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)") : algorithm.hash("\(ha1):\(nonce):\(ha2)")
        guard let digest else { return nil }
        var parts = [
            "username=\(Self.quote(user))", "realm=\(Self.quote(realm))", "uri=\(Self.quote(uri))",
        ]
        if let algorithmName { parts.append("algorithm=\(algorithmName)") }
        parts.append("nonce=\(Self.quote(nonce))")
        if qopAuth { parts += ["nc=\(nc)", "cnonce=\(Self.quote(cnonce))", "qop=auth"] }
        parts.append("response=\(Self.quote(digest))")
        if let opaque { parts.append("opaque=\(Self.quote(opaque))") }
        return "Digest " + parts.joined(separator: ", ")
    }

    /// A quoted-string with `"` and `\` escaped.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
